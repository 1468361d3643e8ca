"""/api/v1/bookmarks and /api/v1/statuses/:id/(un)bookmark: posts a member keeps for later, privately."""
from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id, status_json, statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.db.models import Actor, Bookmark, Post
from server.services import bookmarks
from server.services.access import may_see, visible_post


def status_action(action, scope: str):
    """A handler applying `action(session, actor, post)` to a visible status (a boost's original),
    answering with the status; `ValueError`s from the action become 422."""
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request, scope)
        async with request.app.state.sessions() as session:
            actor = await session.get(Actor, auth.account.actor_id)
            post = await visible_post(session, path_id(request), actor)
            if post is None:
                raise not_found()
            if post.boost_of_id:
                post = await session.get(Post, post.boost_of_id)
            await action(session, actor, post)
            await session.commit()
            return await status_json(request, session, post, actor)
    return handler


bookmark = status_action(bookmarks.bookmark, "write:bookmarks")
unbookmark = status_action(bookmarks.unbookmark, "write:bookmarks")


async def saved_list(request: Request, scope: str, model) -> JSONResponse:
    """Statuses the member bookmarked or favourited (`model`: Bookmark or Like), newest first, paged by
    the bookmark's or favourite's id as Mastodon pages them."""
    auth = await authenticate(request, scope)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id)
        query = select(model.id, Post).join(Post, Post.id == model.post_id).where(model.actor_id == viewer.id)
        rows = page.arrange(list((await session.execute(page.apply(query, model.id))).all()))
        posts = [post for _, post in rows if await may_see(session, post, viewer)]
        return await statuses_json(request, session, posts, viewer, link_header(request, [i for i, _ in rows]))


async def index(request: Request) -> JSONResponse:
    return await saved_list(request, "read:bookmarks", Bookmark)
