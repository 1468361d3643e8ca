"""Groups in the web UI: /groups (the directory, by specialty), a group's page (/groups/NAME for a group here,
the HTML side of its ActivityPub actor served from server.ap.groups; /groups/NAME@DOMAIN for a group elsewhere
a member follows), and joining or leaving one through the same services as the groups API.

Whoever may not see a group (a visitor and a members-only group, or any group elsewhere) gets the same 404 as
for one that does not exist. Its moderators see the moderation controls (server.web.group_moderation takes the
forms) and who is banned."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup
from starlette.responses import Response

from moderation.errors import ServiceError
from server.errors import status_of
from server.i18n import N_
from server.i18n import gettext as _
from server.services.groups import browsing, joining, moderating, posting, registry
from server.services.reading import timelines as reading
from server.services.social import interactions
from server.web import case_views
from server.web.forms import because, refusal, sentence
from server.web.notices import notice as notice_of
from server.web.page import Web, error_page
from server.web.status_view import account_cards, clean, roll_back, viewer_actor, when

NOT_FOUND = "There is no such group, or it is not visible to you."
JOIN_LABELS = {"open": N_("Anyone may join"), "members": N_("Members of this community may join"),
               "verified": N_("Verified clinicians may join"), "approval": N_("Moderators approve each member")}


@dataclass
class ThreadDraft:
    """The start-a-thread or reply form as the author filled it in (echoed back when the guard asks)."""
    title: str = ""
    body: str = ""
    in_reply_to_id: str = ""


def ago(moment: datetime) -> str:
    return when(moment.isoformat())


def describe(listing: browsing.Listing) -> str | Markup:
    """A group's description: as its admin typed it here; elsewhere the remote HTML, sanitised again."""
    return listing.actor.summary if listing.actor.local else clean(listing.actor.summary)


def group_path(listing: browsing.Listing) -> str:
    return "/groups/" + quote(listing.handle, safe="@")


async def find_group(web: Web) -> browsing.Listing | None:
    handle = str(web.request.path_params["name"]).lstrip("@")
    return await browsing.find(web.db, web.settings.domain, handle, member=web.viewer is not None)


async def directory(web: Web) -> Response:
    """/groups?specialty=CODE"""
    specialty = web.request.query_params.get("specialty", "").strip()
    member = web.viewer is not None
    specialties = await browsing.specialties_in_use(web.db, member=member)
    if specialty and specialty not in dict(specialties):
        return error_page(web, 404, _("No group here has that specialty."))
    listings = await browsing.directory(web.db, member=member, specialty=specialty or None)
    return web.render("groups/directory.html", listings=listings, specialties=specialties, specialty=specialty,
                      join_labels=JOIN_LABELS, group_path=group_path, describe=describe)


async def membership(web: Web, listing: browsing.Listing) -> str | None:
    """The viewer's standing in the group: accepted, pending, or None."""
    me = viewer_actor(web)
    row = await interactions.find_follow(web.db, me.id, listing.actor.id) if me is not None else None
    return row.state if row is not None else None


async def group_page(web: Web, *, status: int = 200, error: str | None = None, notice: str | None = None,
                     **extra) -> Response:
    """The group's page (for browsers at /groups/NAME, served through server.ap.groups' negotiation)."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    try:
        threads = await case_views.with_case_marks(web.db, await browsing.threads(web.db, listing, viewer_actor(web)))
        closed = None
    except reading.MembersOnly as exc:
        threads, closed = [], refusal(exc)
    group = listing.group
    moderators = await account_cards(web, await registry.moderators(web.db, group)) if group else []
    may_moderate = bool(group and web.viewer and await registry.may_moderate(web.db, group, web.viewer))
    banned = await moderating.banned(web.db, group, by=viewer_actor(web)) if may_moderate else []
    return web.render("groups/group.html", status=status, listing=listing, threads=threads, closed=closed,
                      moderators=moderators, may_moderate=may_moderate, state=await membership(web, listing),
                      join_labels=JOIN_LABELS, path_of_group=group_path(listing), describe=describe, error=error,
                      notice=notice or notice_of(web), banned=banned,
                      rules=getattr(group, "rules", None) or web.site.rules, ago=ago, blank_draft=ThreadDraft(),
                      max_chars=posting.MAX_BODY, **extra)


async def join(web: Web) -> Response:
    """POST /groups/NAME/join: here by the group's join policy (refused with its reason), elsewhere a Follow
    that waits for the group's Accept."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    me = viewer_actor(web)
    try:
        if listing.group is None:
            await interactions.follow(web.runtime, web.db, me, listing.actor)
        else:
            await joining.join(web.runtime, web.db, listing.group, me)
    except joining.JoinRefused as exc:
        await roll_back(web)
        return await group_page(web, status=403, error=because("You cannot join this group: %(reason)s.",
                                                                       exc.decision.as_error()))
    except ServiceError as exc:
        await roll_back(web)
        return await group_page(web, status=status_of(exc), error=sentence(exc))
    await web.db.commit()
    return web.redirect(group_path(listing))


async def leave(web: Web) -> Response:
    """POST /groups/NAME/leave (also withdraws a pending request)."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    me = viewer_actor(web)
    if listing.group is None:
        await interactions.unfollow(web.runtime, web.db, me, listing.actor)
    else:
        await joining.leave(web.db, listing.group, me)
    await web.db.commit()
    return web.redirect(group_path(listing))
