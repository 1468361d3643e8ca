"""ActivityPub endpoints: posts (`/users/{u}/statuses/{id}`, its Create, its replies) and their pages.

Whatever the reason a post is not shown (unknown, members-only, not addressed to the signer),
the answer is the same 404, so that nobody learns what exists.

The Note of a post anyone may see is kept per process (`PostDocuments`, in Runtime.caches) for unsigned
requests, and its page for visitors without cookies (no session: the page is the same for all of them): they
are dropped when the post is edited or deleted, in this process at commit and in the others when their
streaming hub reads the event (server.caches), and after a time in any case (DOCUMENT_TTL: an author suspended, say;
PAGE_TTL for pages, whose reply list and counts move without an event about the post).
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

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
from server.services.cases.lookup import case_extension
from server.services.groups import threads
from server.services.social.visibility_to_servers import member_filter, remote_may_see

DOCUMENT_TTL = 30.0
PAGE_TTL = 5.0
CACHED_POSTS = 10_000


class PostDocuments:
    """post id -> (expiry, author's username in lower case, a document). Keeps nothing until the
    streaming hub reads events (`listening`), so that no edit can go unseen."""

    def __init__(self, ttl: float = DOCUMENT_TTL, size: int = CACHED_POSTS):
        self.ttl, self.size = ttl, size
        self._items: dict[int, tuple[float, str, Any]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._listening = False

    def lock(self, post_id: int) -> asyncio.Lock:
        """Held while making a post's document, so that a crowd of requests for it makes it once."""
        if len(self._locks) >= self.size:
            self._locks.clear()  # at worst two requests make the same document
        return self._locks.setdefault(post_id, asyncio.Lock())

    def listening(self) -> None:
        self._listening = True

    def get(self, username: str, post_id: int) -> Any:
        item = self._items.get(post_id)
        if item and item[0] > time.monotonic() and item[1] == username.lower():
            return item[2]
        return None

    def put(self, username: str, post_id: int, body: Any) -> None:
        if not self._listening:
            return
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[post_id] = (time.monotonic() + self.ttl, username.lower(), body)

    def forget(self, *post_ids: int) -> None:
        for post_id in post_ids:
            self._items.pop(post_id, None)

    def clear(self) -> None:
        self._items.clear()


def post_documents(runtime: Runtime) -> PostDocuments:
    return runtime.caches.use("post_documents", PostDocuments)


def post_pages(runtime: Runtime) -> PostDocuments:
    return runtime.caches.use("post_pages", lambda: PostDocuments(ttl=PAGE_TTL))


async def _post_page(request: Request) -> Response:
    """The post's page; the same for every visitor without cookies, so kept for them a few seconds
    (without the CSRF cookie a first visit gets: the page has no form that needs it)."""
    if "cookie" in request.headers:
        return await negotiate.web_page(request, "status")
    username, post_id = request.path_params["username"], request.path_params["id"]
    cache = post_pages(request.app.state.runtime)
    async with cache.lock(post_id):
        if (kept := cache.get(username, post_id)) is not None:
            return Response(kept[0], headers=kept[1])
        response = await negotiate.web_page(request, "status")
        if response.status_code == 200 and b'name="csrf_token"' not in response.body:
            headers = {name: value for name, value in response.headers.items() if name != "set-cookie"}
            cache.put(username, post_id, (response.body, headers))
    return response


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
            return await negotiate.web_page(request, "status_redirect")
        return await _post_page(request)
    runtime = _runtime(request)
    cacheable = not runtime.settings.authorized_fetch and not negotiate.is_signed(request)
    username, post_id = request.path_params["username"], request.path_params["id"]
    cache = post_documents(request.app.state.runtime)
    if cacheable and (body := cache.get(username, post_id)) is not None:
        return negotiate.activity_response(body)
    async with runtime.sessions() as session:
        post, viewer = await _visible_post(request, session)
        if post is None or post.boost_of_id is not None:
            return negotiate.not_found(request)
        body = negotiate.dumps(post_to_note(post, runtime.urls, in_group=await threads.in_group(session, post.id),
                                            case=await case_extension(session, post)))
    if cacheable and viewer is None:
        cache.put(username, post_id, body)
    return negotiate.activity_response(body)


async def activity(request: Request) -> Response:
    """The Create that carried a post, or the Announce of a boost."""
    runtime = _runtime(request)
    async with negotiate.reads(request) as session:
        post, viewer = await _visible_post(request, session)
        if post is None:
            return negotiate.not_found(request)
        if post.boost_of_id is None:
            return negotiate.activity_response(create_activity(post, runtime.urls,
                                                               await threads.in_group(session, post.id),
                                                               await case_extension(session, post)))
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
    async with negotiate.reads(request) as session:
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
