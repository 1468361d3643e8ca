"""What a member does to a post from a page: favourite, boost, bookmark (and undo them), vote, pin one's own
(and unpin), delete. Each is a small POST form; the answer goes back to the page it came from (`next`, a
local path only)."""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Post
from server.services.posts import authoring as post_service
from server.services.posts import polls, post_actions
from server.web.forms import because
from server.web.page import Web, error_page, safe_next
from server.web.status_view import roll_back, viewer_actor
from server.web.threads import NOT_FOUND, post_id_of


async def target_post(web: Web) -> Post | None:
    """The post the path names if the member may see it (a boost stands for the post it boosted)."""
    post_id = post_id_of(web.request.path_params["id"])
    return None if post_id is None else await post_actions.acted_on(web.db, post_id, viewer_actor(web))


def _back(web: Web, post: Post) -> Response:
    return web.redirect(safe_next(web.value("next"), f"/statuses/{post.id}"))


async def _own(web: Web) -> Post | None:
    """The viewer's own post the path names (someone else's is not found, as for delete)."""
    try:
        return await post_service.own_post(web.db, viewer_actor(web), post_id_of(web.request.path_params["id"]) or 0)
    except ServiceError:
        return None


def _action(action: post_actions.PostAction, find=target_post):
    async def handler(web: Web) -> Response:
        post = await find(web)
        if post is None:
            return error_page(web, 404, NOT_FOUND)
        try:
            await action.run(web.runtime, web.db, viewer_actor(web), post)
        except ServiceError as exc:
            await roll_back(web)
            return error_page(web, 422, because("That did not work: %(reason)s.", exc))
        await web.db.commit()
        return _back(web, post)
    return handler


favourite, unfavourite = _action(post_actions.FAVOURITE), _action(post_actions.UNFAVOURITE)
boost, unboost = _action(post_actions.BOOST), _action(post_actions.UNBOOST)
bookmark, unbookmark = _action(post_actions.BOOKMARK), _action(post_actions.UNBOOKMARK)
pin, unpin = _action(post_actions.PIN, find=_own), _action(post_actions.UNPIN, find=_own)


def _choices(web: Web) -> list[int]:
    return [int(c) for c in web.form.getlist("choice") if isinstance(c, str) and c.isdigit() and len(c) < 3]


async def vote(web: Web) -> Response:
    choices = _choices(web)
    voting = post_actions.PostAction(lambda runtime, db, me, post: polls.vote(runtime, db, me, post, choices))
    return await _action(voting)(web)


async def delete(web: Web) -> Response:
    """Delete one's own post; back to the page it was on, unless that page was the post itself."""
    post_id = post_id_of(web.request.path_params["id"])
    try:
        post = await post_service.own_post(web.db, viewer_actor(web), post_id or 0)
        gone = {f"/statuses/{post.id}", urlsplit(post.url or "").path}
        await post_service.delete_post(web.runtime, web.db, viewer_actor(web), post.id)
    except ServiceError:
        await roll_back(web)
        return error_page(web, 404, NOT_FOUND)
    await web.db.commit()
    back = safe_next(web.value("next"), "/home")
    return web.redirect("/home" if urlsplit(back).path in gone else back)
