"""Statuses and accounts as the web templates show them: the client API's entities (server.services.reading.page_views,
so both show the same thing to the same viewer) with what a page adds — local links, readable times,
the verification badge, what the viewer may do with a post, poll results in percent.

Only the stored, sanitised post HTML is marked safe by the templates; a bio and profile fields are
sanitised again here before they are marked safe (Markup), since they are shown as HTML too.
"""
from __future__ import annotations

from datetime import datetime, timezone

from markupsafe import Markup

from federation.html import ContentError, sanitize_html
from server.db.models import Actor, Post
from server.i18n import N_, format_moment, gettext
from server.services.reading.filter_matching import action_in, warning_titles
from server.services.reading.page_views import render_accounts, render_statuses
from server.services.verification.attestations_issued import profession_label
from server.web.page import Web

VISIBILITY_LABELS = {"public": N_("Public"), "unlisted": N_("Unlisted"), "private": N_("Followers only"),
                     "direct": N_("Direct"), "local": N_("Members only"), "held": N_("Awaiting review")}
BOOSTABLE = ("public", "unlisted", "local")


def viewer_actor(web: Web) -> Actor | None:
    return web.viewer.actor if web.viewer is not None else None


async def roll_back(web: Web) -> None:
    """Undo the request's writes and load the viewer again (a rollback expires it, and the page shows it)."""
    await web.db.rollback()
    if web.viewer is not None:
        await web.db.refresh(web.viewer)


def when(iso: str | None, now: datetime | None = None) -> str:
    """A short, readable time in the page's language: "14:03" today, "12 Mar" this year, "12 Mar 2023" before
    (UTC; the order and month names are the locale's)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return ""
    now = now or datetime.now(timezone.utc)
    if moment.date() == now.date():
        return format_moment(moment, "Hm")
    return format_moment(moment, "MMMd" if moment.year == now.year else "yMMMd")


def full_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return ""
    return gettext("%(moment)s UTC") % {"moment": f"{format_moment(moment, 'yMMMMd')}, {format_moment(moment, 'Hm')}"}


def clean(html: str | None) -> Markup:
    """Stored HTML of a bio or field, sanitised again before it is shown as HTML."""
    try:
        return Markup(sanitize_html(html or ""))
    except ContentError:
        return Markup("")


def badge(curbside: dict | None, remote: bool = False) -> dict | None:
    """{"text", "verified"} for the verification badge in the page's language, or None (no claim at all); the
    entity's own `badge` is the English text apps show."""
    curbside = curbside or {}
    if curbside.get("verified") and curbside.get("badge"):
        return {"text": _badge_text(curbside, curbside.get("verified_by") if remote else None), "verified": True}
    if curbside.get("status") == "unverified_claim":
        text = _badge_text(curbside, curbside.get("claimed_by")) if curbside.get("profession") else \
            gettext("unverified claim")
        return {"text": gettext("%(badge)s (unverified claim)") % {"badge": text}, "verified": False}
    return None


def _badge_text(curbside: dict, by: str | None) -> str:
    text = gettext("Verified %(profession)s") % {"profession": gettext(profession_label(curbside.get("profession")))}
    if curbside.get("specialty"):
        text = gettext("%(badge)s · %(specialty)s") % {"badge": text, "specialty": gettext(curbside["specialty"])}
    return gettext("%(badge)s — by %(domain)s") % {"badge": text, "domain": by} if by else text


def account_card(entity: dict) -> dict:
    moved = account_card(entity["moved"]) if entity.get("moved") else None
    return {**entity, "path": "/@" + entity["acct"], "moved": moved,
            "badge": badge(entity.get("curbside"), "@" in entity["acct"]),
            "name": entity.get("display_name") or entity["username"], "note_html": clean(entity.get("note")),
            "fields": [{"name": f["name"], "value_html": clean(f["value"])} for f in entity.get("fields") or []]}


def _poll(poll: dict | None, can_vote: bool) -> dict | None:
    if poll is None:
        return None
    total = poll["votes_count"] or 0
    options = [{**o, "percent": round(100 * (o["votes_count"] or 0) / total) if total else 0,
                "mine": i in (poll.get("own_votes") or [])} for i, o in enumerate(poll["options"])]
    return {**poll, "options": options, "open": can_vote and not poll["expired"] and not poll.get("voted"),
            "ends": when(poll.get("expires_at")), "ends_full": full_time(poll.get("expires_at"))}


def _decorate(entity: dict, viewer_id: str | None) -> dict:
    own = viewer_id is not None and entity["account"]["id"] == viewer_id
    mentions = {m["id"]: m["acct"] for m in entity.get("mentions") or []}
    reply_to = entity.get("in_reply_to_account_id")
    hold = entity.get("curbside") or {}  # a post (or an edit of it) waiting for a moderator: see services.views
    label = gettext(VISIBILITY_LABELS[entity["visibility"]]) if entity["visibility"] in VISIBILITY_LABELS \
        else entity["visibility"]
    return {**entity, "path": f"/statuses/{entity['id']}", "account": account_card(entity["account"]),
            "own": own, "when": when(entity["created_at"]), "when_full": full_time(entity["created_at"]),
            "held": bool(hold.get("held")), "pending_edit": bool(hold.get("pending_edit")),
            "visibility_label": (gettext("Awaiting review · %(label)s") % {"label": label} if hold.get("held")
                                 else label),
            "boostable": not hold.get("held") and (entity["visibility"] in BOOSTABLE
                                                   or (own and entity["visibility"] == "private")),
            "reply_to_acct": mentions.get(reply_to) or (entity["account"]["acct"] if reply_to == entity["account"]["id"]
                                                        else None),
            "poll": _poll(entity.get("poll"), viewer_id is not None and not own),
            "edited": when(entity.get("edited_at")) if entity.get("edited_at") else None}


async def status_cards(web: Web, posts: list[Post], context: str | None = None) -> list[dict]:
    """What the templates' `_status.html` shows for each post, as the page's viewer sees it in `context`
    (home, public, thread, account: see shown_in)."""
    viewer = viewer_actor(web)
    entities = await render_statuses(web.db, posts, viewer, web.runtime.urls, web.settings.domain)
    viewer_id = str(viewer.id) if viewer else None
    return shown_in([status_card(entity, viewer_id) for entity in entities], context)


def status_card(entity: dict, viewer_id: str | None) -> dict:
    """One Status entity as `_status.html` shows it (a boost carries its original, decorated too)."""
    card = _decorate(entity, viewer_id)
    if entity.get("reblog"):
        card["reblog"] = _decorate(entity["reblog"], viewer_id)
    return card


def shown_in(cards: list[dict], context: str | None) -> list[dict]:
    """Cards as the viewer's keyword filters show them in `context`: without those a filter hides there,
    the others folded behind the titles of the filters that warn there (`filter_warning`)."""
    return [{**card, "filter_warning": warning_titles(card.get("filtered"), context)} for card in cards
            if action_in(card.get("filtered"), context) != "hide"]


async def account_cards(web: Web, actors: list[Actor], fresh: bool = False) -> list[dict]:
    entities = await render_accounts(web.db, actors, web.runtime.urls, web.settings.domain, fresh)
    return [account_card(e) for e in entities]
