"""Which language a page speaks: the member's choice, else the browser's best match among the catalogs
(Babel's negotiation over Accept-Language), else the instance default."""
from __future__ import annotations

from babel.core import negotiate_locale

from server.i18n.catalogs import available_locales

MAX_HEADER = 500


def supported(locale: str | None) -> str | None:
    """`locale` as one of the available catalogs ("de-AT" and "de_DE" are "de"), or None."""
    if not locale:
        return None
    return _negotiated([locale.strip().replace("_", "-")])


def _ranked(header: str) -> list[str]:
    """The tags of an Accept-Language header, best first (q=0 left out, bad q read as 0)."""
    weighted = []
    for index, part in enumerate(header[:MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            weighted.append((-q, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def best_of_header(header: str | None) -> str | None:
    return _negotiated(_ranked(header or ""))


def _negotiated(preferred: list[str]) -> str | None:
    available = available_locales()
    found = negotiate_locale(preferred, available, sep="-")  # answers in the spelling it was asked ("DE")
    return {a.lower(): a for a in available}.get(found.lower()) if found else None


def choose_locale(member_locale: str | None, accept_language: str | None, default: str) -> str:
    return supported(member_locale) or best_of_header(accept_language) or default
