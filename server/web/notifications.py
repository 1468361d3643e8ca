"""/notifications: follow requests waiting for an answer, then mentions, follows, favourites, boosts, polls
and the rest, newest first; opening the first page moves the member's read marker (shared with apps)."""
from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from server.db.models import Actor, Follow
from server.i18n import gettext
from server.services.moderation.hidden_from_viewers import visible_actors
from server.services.reading import timelines as reading
from server.services.reading.markers import save_marker
from server.services.reading.page_views import render_notifications
from server.web.page import Web, error_page
from server.web.status_view import account_card, account_cards, shown_in, status_card, viewer_actor, when
from server.web.timelines import older_link, page_of

MAX_REQUESTS = 40
FILTERS = {"all": None, "mentions": ["mention"], "follows": ["follow", "follow_request"]}
SENTENCES = {
    "mention": "mentioned you", "status": "posted", "reblog": "boosted your post", "follow": "followed you",
    "follow_request": "asked to follow you", "favourite": "favourited your post",
    "poll": "A poll you voted in or made has ended", "update": "edited a post you boosted",
    "move": "moved to a new account: you follow that one now",
}


async def _requests(web: Web, me: Actor) -> list[dict]:
    query = (select(Actor).join(Follow, Follow.follower_id == Actor.id)
             .where(Follow.followed_id == me.id, Follow.state == "pending").order_by(Follow.id).limit(MAX_REQUESTS))
    actors = await visible_actors(web.db, list((await web.db.execute(query)).scalars()))
    return await account_cards(web, actors)


def _card(item: dict, viewer_id: str) -> dict:
    # render_notifications left out those the viewer's filters hide; those that warn are folded away
    status = shown_in([status_card(item["status"], viewer_id)], "notifications")[0] if item.get("status") else None
    return {**item, "account": account_card(item["account"]), "status": status,
            "sentence": SENTENCES.get(item["type"], item["type"].replace("_", " ")), "when": when(item["created_at"])}


async def notifications(web: Web) -> Response:
    page = page_of(web)
    shown_filter = web.request.query_params.get("filter", "all")
    if page is None or shown_filter not in FILTERS:
        return error_page(web, 404, gettext("There is no such page."))
    me = viewer_actor(web)
    rows, shown = await reading.notifications(web.db, me, page, types=FILTERS[shown_filter])
    items = await render_notifications(web.db, shown, me, web.runtime.urls, web.settings.domain)
    first_page = "max_id" not in web.request.query_params
    if first_page and rows and shown_filter == "all":
        await save_marker(web.db, me.id, "notifications", max(n.id for n in rows))
        await web.db.commit()
    return web.render("posts/notifications.html", items=[_card(i, str(me.id)) for i in items],
                      requests=await _requests(web, me) if first_page else [], filter=shown_filter,
                      older=older_link(web, rows, filter=shown_filter if shown_filter != "all" else ""))
