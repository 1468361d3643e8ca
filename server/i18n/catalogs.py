"""The compiled catalogs, loaded once per process and language.

A `.mo` older than its `.po` (or missing: they are built at install, never committed) is compiled from
the `.po` in memory rather than refused: `pytest` run straight from a checkout, or a translator's edit
not yet compiled, then still shows the current text. Compiling the four catalogs costs milliseconds, once.
"""
from __future__ import annotations

import gettext as std_gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"
SOURCE_LOCALE = "en"
_ROOT = [Path(__file__).resolve().parent / "locales"]


def locales_dir() -> Path:
    return _ROOT[0]


def use_locales_dir(path: Path) -> None:
    """Point at another catalog folder (tests add a pseudo-locale this way); forgets what was loaded."""
    _ROOT[0] = path
    available_locales.cache_clear()
    translations.cache_clear()


@lru_cache(maxsize=1)
def available_locales() -> tuple[str, ...]:
    """The source language and every language with a catalog, sorted."""
    root = locales_dir()
    found = {p.name for p in root.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()} \
        if root.is_dir() else set()
    return tuple(sorted(found | {SOURCE_LOCALE}))


def is_available(locale: str) -> bool:
    return locale in available_locales()


@lru_cache(maxsize=32)
def translations(locale: str) -> std_gettext.NullTranslations:
    """The catalog of `locale` (NullTranslations for the source language or an unknown one)."""
    folder = locales_dir() / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if locale == SOURCE_LOCALE or not po.is_file():
        return std_gettext.NullTranslations()
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return std_gettext.GNUTranslations(handle)
    return std_gettext.GNUTranslations(io.BytesIO(compiled(po, locale)))


def compiled(po: Path, locale: str) -> bytes:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    out = io.BytesIO()
    write_mo(out, catalog)  # fuzzy entries left out, as msgfmt does
    return out.getvalue()
