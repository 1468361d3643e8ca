"""Dates, times and numbers in the current locale (CLDR data through Babel), and the page's direction."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from babel import Locale, dates, numbers

from server.i18n.context import current_locale


def _locale() -> Locale:
    return Locale.parse(current_locale(), sep="-")


def format_date(value: date | datetime | None, format: str = "long") -> str:
    """'14. März 2026', '14 mars 2026', '14 de marzo de 2026', 'March 14, 2026'; "short" is numeric with a
    four-digit year ('14.3.2026', '3/14/2026': CLDR's own short form has two, which admins' tables misread)."""
    if value is None:
        return ""
    if format == "short":
        return dates.format_skeleton("yMd", value, locale=_locale())
    return dates.format_date(value, format=format, locale=_locale())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """A date and time; "short" as format_date's, with a 24-hour time ('14.3.2026 09:05')."""
    if value is None:
        return ""
    if format == "short":
        return f"{format_date(value, 'short')} {dates.format_skeleton('Hm', value, locale=_locale())}"
    return dates.format_datetime(value, format=format, locale=_locale())


def format_moment(value: datetime, skeleton: str) -> str:
    """A moment by a CLDR skeleton, in the locale's own order: "Hm" 14:03, "MMMd" 12. März / 12 mars / Mar 12,
    "yMMMd" with the year."""
    return dates.format_skeleton(skeleton, value, locale=_locale())


def format_number(value: int | float | None) -> str:
    """'1.234' (de, es), '1 234' (fr, a narrow no-break space), '1,234' (en)."""
    return "" if value is None else numbers.format_decimal(value, locale=_locale())


_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def format_duration(amount: int, unit: str, *, ahead: bool = False) -> str:
    """`amount` of `unit` ("minute", "hour", "day", "week") written out: '30 Minuten', '7 días'; `ahead`: from
    now, in the language's own form ('in 30 Tagen', 'dans 1 heure'), which a "In %s" of ours would get wrong.
    Always in `unit` (an infinite threshold), where Babel would round 30 days to '1 month'."""
    return dates.format_timedelta(timedelta(seconds=amount * _SECONDS[unit]), granularity=unit,
                                  threshold=float("inf"), add_direction=ahead, locale=_locale())


def text_direction(locale: str | None = None) -> str:
    """'rtl' or 'ltr', for <html dir>."""
    parsed = Locale.parse(locale or current_locale(), sep="-")
    return "rtl" if parsed.character_order == "right-to-left" else "ltr"


def language_name(locale: str) -> str:
    """A language named in itself ("Deutsch", "Français"), as a language menu shows it."""
    name = Locale.parse(locale, sep="-").get_display_name(locale.replace("-", "_")) or locale
    return name[:1].upper() + name[1:]
