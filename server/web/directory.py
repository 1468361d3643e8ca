"""/directory: the community's verified members by specialty. Only discoverable members are listed, under
their public name (an alias for a pseudonymous member: the real name is never shown)."""
from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from starlette.responses import Response

from moderation.errors import ServiceError
from server.i18n import gettext, pgettext
from server.services.social import directory as members
from server.web.page import Web, error_page
from server.web.status_view import account_cards

PAGE_SIZE = 60


def _offset(web: Web) -> int | None:
    raw = web.request.query_params.get("offset", "0") or "0"
    return int(raw) if raw.isdigit() and len(raw) <= 6 else None


def _specialty(name: str | None) -> str:
    """The heading of a card's group: its specialty, or for members without one "Other" as a specialty."""
    return gettext(name) if name else pgettext("specialty", "Other")


async def directory(web: Web) -> Response:
    specialty = web.request.query_params.get("specialty", "").strip()
    offset = _offset(web)
    if offset is None:
        return error_page(web, 404, gettext("There is no such page."))
    try:
        actors = await members.verified_members(web.db, specialty=specialty or None, limit=PAGE_SIZE + 1,
                                                offset=offset)
    except ServiceError:
        return error_page(web, 404, gettext("There is no such specialty in the directory."))
    cards = await account_cards(web, actors[:PAGE_SIZE])
    groups = [(name, list(group)) for name, group in groupby(
        sorted(cards, key=lambda c: ((c["curbside"].get("specialty") or "~").lower(), c["name"].lower())),
        key=lambda c: _specialty(c["curbside"].get("specialty")))]
    more = None
    if len(actors) > PAGE_SIZE:
        more = "/directory?" + urlencode({k: v for k, v in (("specialty", specialty),
                                                            ("offset", offset + PAGE_SIZE)) if v})
    # NUCC names are translated (every name of the CSV is extracted: server/i18n/extract_csv.py); the codes stay
    specialties = [(code, gettext(name), n) for code, name, n in await members.verified_specialties(web.db)]
    return web.render("posts/directory.html", groups=groups, specialties=specialties, specialty=specialty, more=more,
                      count=len(cards))
