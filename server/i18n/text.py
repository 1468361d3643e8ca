"""gettext for Python code, resolving the current locale at call time."""
from __future__ import annotations

from collections.abc import Mapping

from moderation.errors import ServiceError
from server.i18n.catalogs import translations
from server.i18n.context import current_locale
from server.i18n.formats import format_number


def gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A short text whose translation depends on its role ("Other" as a sex, as a group of professions)."""
    return translations(current_locale()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a fixed text for extraction where it is written (a service's refusal); it is translated where
    it is shown (the web surface), and stays English in the client API and the CLI."""
    return message


def pN_(context: str, message: str) -> str:
    """N_ with a context: marks `message` for extraction under `context` (`-k pN_:1c,2`); where it is shown,
    `pgettext(context, message)` translates it."""
    return message


def lazy_format(message: str, **values: object) -> str:
    """A translated %-format msgid filled in: `lazy_format("%(name)s joined", name=...)`."""
    return gettext(message) % values


def filled(message: str, values: Mapping[str, object]) -> str:
    """A translated %-format msgid filled with `values` (a service's refusal: `ServiceError.msgid`, `.values`),
    numbers written in the locale's form ('1.000', '1 000', '4,5'; ids are passed as text so they stay bare); a
    msgid without values is only translated. A value that is itself a refusal (a ServiceError quoted in another's
    sentence) is translated and filled the same way."""
    translated = gettext(message) if message else message  # gettext("") is the catalog's header
    if not values:
        return translated
    return translated % {key: _shown(value) for key, value in values.items()}


def _shown(value: object) -> object:
    if isinstance(value, ServiceError):
        return filled(value.msgid, value.values)
    return format_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
