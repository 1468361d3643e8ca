"""gettext for Python code, resolving the current locale at call time."""
from __future__ import annotations

from server.i18n.catalogs import translations
from server.i18n.context import current_locale


def gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a fixed text for extraction where it is written (a service's refusal); it is translated where
    it is shown (the web surface), and stays English in the client API and the CLI."""
    return message


def lazy_format(message: str, **values: object) -> str:
    """A translated %-format msgid filled in: `lazy_format("%(name)s joined", name=...)`."""
    return gettext(message) % values
