"""Internationalisation: one gettext domain (`messages`) for Python and the themes' templates, catalogs in
`server/i18n/locales/<lang>/LC_MESSAGES/`, the locale of the moment in a context variable.

Web requests set the locale once (`server.web.page`); mail and push set the recipient's around the text
they build (`use_locale`). Everything else reads `current_locale()`, which falls back to the instance
default. English is the source language: its catalog is the msgids themselves.
"""
from __future__ import annotations

from server.i18n.catalogs import available_locales, is_available, translations
from server.i18n.choice import best_of_header, choose_locale, supported
from server.i18n.context import current_locale, set_default_locale, use_locale
from server.i18n.formats import (
    format_date,
    format_datetime,
    format_duration,
    format_moment,
    format_number,
    language_name,
    text_direction,
)
from server.i18n.text import N_, filled, gettext, lazy_format, ngettext, pgettext, pN_

__all__ = [
    "N_", "available_locales", "best_of_header", "choose_locale", "current_locale", "filled", "format_date",
    "format_datetime", "format_duration", "format_moment", "format_number", "gettext", "is_available",
    "language_name", "lazy_format", "ngettext", "pN_", "pgettext", "set_default_locale", "supported",
    "text_direction", "translations", "use_locale",
]
