"""A post with its thread: /statuses/{id} for any post, local or remote, and the HTML side of a local
post's own URLs (/@{username}/{id}, /users/{username}/statuses/{id}) served from server.ap.objects.
Whoever may not see a post gets the same 404 as for one that does not exist."""
from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from server.db.ids import as_id
from server.db.models import Post
from server.services.reading import timelines as reading
from server.services.social.visibility_to_viewers import visible_post
from server.web.compose import form_context, reply_draft
from server.web.page import Web, error_page
from server.web.status_view import shown_in, status_cards, viewer_actor

NOT_FOUND = "This post does not exist, or is not visible to you."


def post_id_of(raw: object) -> int | None:
    return as_id(str(raw))


async def _visible(web: Web, post_id: int | None) -> Post | None:
    return None if post_id is None else await visible_post(web.db, post_id, viewer_actor(web))


async def _thread_page(web: Web, post: Post) -> Response:
    ancestors, descendants = await reading.thread(web.db, post, viewer_actor(web))
    cards = await status_cards(web, [*ancestors, post, *descendants])
    focus = next((c for c in cards if c["id"] == str(post.id)), None)
    if focus is None:  # its author's account vanished between the two reads
        return error_page(web, 404, NOT_FOUND)
    # the viewer's keyword filters apply around the post asked for, not to it
    at = cards.index(focus)
    above, below = shown_in(cards[:at], "thread"), shown_in(cards[at + 1:], "thread")
    context = {}
    if web.viewer is not None:
        context = {"draft": await reply_draft(web, post), **form_context(web)}
    return web.render("posts/thread.html", focus_status=focus, ancestors=above, descendants=below,
                      alternate=post.uri if post.local else None, **context)


async def status_page(web: Web) -> Response:
    """/statuses/{id}: a boost leads to the post it boosted."""
    post = await _visible(web, post_id_of(web.request.path_params["id"]))
    if post is None:
        return error_page(web, 404, NOT_FOUND)
    if post.boost_of_id is not None:
        return web.redirect(f"/statuses/{post.boost_of_id}")
    return await _thread_page(web, post)


async def _local_post(web: Web) -> Post | None:
    """The local post the AP-style path names (its author's username must match), if the viewer may see it."""
    post = await _visible(web, post_id_of(web.request.path_params["id"]))
    username = str(web.request.path_params["username"]).lower()
    if post is None or not post.local or post.boost_of_id is not None or post.author.username.lower() != username:
        return None
    return post


async def local_status_page(web: Web) -> Response:
    """/@{username}/{id} for browsers (served by server.ap.objects)."""
    post = await _local_post(web)
    if post is None:
        return error_page(web, 404, NOT_FOUND)
    return await _thread_page(web, post)


async def local_status_redirect(web: Web) -> Response:
    """/users/{username}/statuses/{id} for browsers: to the post's page, for those who may see it."""
    post = await _local_post(web)
    if post is None:
        return error_page(web, 404, NOT_FOUND)
    return RedirectResponse(post.url or f"/statuses/{post.id}", status_code=302)

