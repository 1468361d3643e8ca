"""ActivityPub endpoints: posts (`/users/{u}/statuses/{id}`, its Create, its replies) and their pages.

Whatever the reason a post is not shown (unknown, members-only, not addressed to the signer),
the answer is the same 404, so that nobody learns what exists.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.ap import negotiate
from server.convert.actor_to_as import AS_NS
from server.convert.post_to_as import announce_activity, create_activity, post_to_note, replies_collection
from server.db.ids import MAX_ID
from server.db.models import Actor, Post
from server.runtime import Runtime
from server.services.visibility import member_filter, remote_may_see
from server.web import threads

def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def _visible_post(request: Request, session: AsyncSession) -> tuple[Post | None, Actor | None]:
    """The local post the path names if the requester may see it, and who that requester is.

    Authorized-fetch mode checks the signature first (401), before anything about the post is looked up.
    """
    runtime = _runtime(request)
    viewer = await negotiate.signing_actor(request, session, required=runtime.settings.authorized_fetch)
    post_id = request.path_params["id"]
    if post_id > MAX_ID:
        return None, viewer
    # One query for the post and its author's standing: this path is not cached.
    author = member_filter(runtime.settings.domain, runtime.urls.instance_actor, request.path_params["username"])
    query = (select(Post).join(Post.author)
             .options(contains_eager(Post.author)).where(Post.id == post_id, Post.local.is_(True), *author))
    post = (await session.execute(query)).scalars().first()
    if post is None:
        return None, viewer
    return (post if await remote_may_see(session, post, viewer) else None), viewer


async def status(request: Request) -> Response:
    """The Note for servers; browsers get the post's page (if the web viewer may see it)."""
    if not negotiate.wants_activity_json(request.headers.get("accept")):
        # browsers: the web UI decides, as the web viewer (a member may see members-only posts)
        if request.url.path.startswith("/users/"):
            return await negotiate.web_page(request, threads.local_status_redirect)
        return await negotiate.web_page(request, threads.local_status_page)
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        post, _ = await _visible_post(request, session)
        if post is None or post.boost_of_id is not None:
            return negotiate.not_found(request)
        return negotiate.activity_response(post_to_note(post, runtime.urls))


async def activity(request: Request) -> Response:
    """The Create that carried a post, or the Announce of a boost."""
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        post, viewer = await _visible_post(request, session)
        if post is None:
            return negotiate.not_found(request)
        if post.boost_of_id is None:
            return negotiate.activity_response(create_activity(post, runtime.urls))
        boosted = await session.get(Post, post.boost_of_id)
        if boosted is None or not await remote_may_see(session, boosted, viewer):
            return negotiate.not_found(request)
        return negotiate.activity_response(announce_activity(post, boosted, runtime.urls))


async def legacy_announce(request: Request) -> Response:
    """`…/statuses/{id}/activity/activity`: a boost's Announce id before December 2026, which servers stored;
    it now lives at the boost's URI. A redirect there, for a boost the requester may see; 404 otherwise."""
    async with _runtime(request).sessions() as session:
        post, _ = await _visible_post(request, session)
    if post is None or post.boost_of_id is None:
        return negotiate.not_found(request)
    return negotiate.redirect(post.uri)


async def replies(request: Request) -> Response:
    """A stub: replies are not listed yet, but the collection exists for every visible post."""
    async with _runtime(request).sessions() as session:
        post, _ = await _visible_post(request, session)
    if post is None or post.boost_of_id is not None:
        return negotiate.not_found(request)
    return negotiate.activity_response({"@context": AS_NS, **replies_collection(post)})


GET = ["GET", "HEAD"]
ROUTES: list[Route] = [
    Route("/users/{username}/statuses/{id:int}", status, methods=GET),
    Route("/users/{username}/statuses/{id:int}/activity", activity, methods=GET),
    Route("/users/{username}/statuses/{id:int}/activity/activity", legacy_announce, methods=GET),
    Route("/users/{username}/statuses/{id:int}/replies", replies, methods=GET),
    Route("/@{username}/{id:int}", status, methods=GET),
]
