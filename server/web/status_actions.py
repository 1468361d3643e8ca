"""What a member does to a post from a page: favourite, boost, bookmark (and undo them), vote, pin one's own
(and unpin), delete. Each is a small POST form; the answer goes back to the page it came from (`next`, a
local path only)."""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Post
from server.services import bookmarks, polls, social
from server.services import posts as post_service
from server.services.access import visible_post
from server.web.page import Web, error_page, safe_next
from server.web.status_view import roll_back, viewer_actor
from server.web.threads import NOT_FOUND, post_id_of


async def target_post(web: Web) -> Post | None:
    """The post the path names if the member may see it (a boost stands for the post it boosted)."""
    post_id = post_id_of(web.request.path_params["id"])
    post = None if post_id is None else await visible_post(web.db, post_id, viewer_actor(web))
    if post is not None and post.boost_of_id is not None:
        post = await web.db.get(Post, post.boost_of_id)
    return post


def _back(web: Web, post: Post) -> Response:
    return web.redirect(safe_next(web.value("next"), f"/statuses/{post.id}"))


async def _own(web: Web) -> Post | None:
    """The viewer's own post the path names (someone else's is not found, as for delete)."""
    try:
        return await post_service.own_post(web.db, viewer_actor(web), post_id_of(web.request.path_params["id"]) or 0)
    except ServiceError:
        return None


def _action(change, federates: bool = True, find=target_post):
    async def handler(web: Web) -> Response:
        post = await find(web)
        if post is None:
            return error_page(web, 404, NOT_FOUND)
        try:
            await change(web, viewer_actor(web), post)
        except ServiceError as exc:
            await roll_back(web)
            return error_page(web, 422, f"That did not work: {exc}.")
        await web.db.commit()
        if federates:
            web.runtime.wake("deliveries")
        return _back(web, post)
    return handler


favourite = _action(lambda web, me, post: social.favourite(web.runtime, web.db, me, post))
unfavourite = _action(lambda web, me, post: social.unfavourite(web.runtime, web.db, me, post))
boost = _action(lambda web, me, post: social.boost(web.runtime, web.db, me, post))
unboost = _action(lambda web, me, post: social.unboost(web.runtime, web.db, me, post))
bookmark = _action(lambda web, me, post: bookmarks.bookmark(web.db, me, post), federates=False)
unbookmark = _action(lambda web, me, post: bookmarks.unbookmark(web.db, me, post), federates=False)
pin = _action(lambda web, me, post: bookmarks.pin(web.db, me, post), federates=False, find=_own)
unpin = _action(lambda web, me, post: bookmarks.unpin(web.db, me, post), federates=False, find=_own)


def _choices(web: Web) -> list[int]:
    return [int(c) for c in web.form.getlist("choice") if isinstance(c, str) and c.isdigit() and len(c) < 3]


async def _vote(web: Web, me, post: Post) -> None:
    await polls.vote(web.runtime, web.db, me, post, _choices(web))


vote = _action(_vote)


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
    web.runtime.wake("deliveries")
    back = safe_next(web.value("next"), "/home")
    return web.redirect("/home" if urlsplit(back).path in gone else back)
