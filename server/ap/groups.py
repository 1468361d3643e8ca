"""ActivityPub endpoints of groups hosted here: `/groups/{name}` (the Group actor) and its collections. Browsers
get the web UI's pages at the actor's and a thread's URL (server.web.group_pages, group_threads).

A members-only group is not federated: every one of its documents answers 404 to other servers, as
members-only posts do. The outbox holds the group's Announces of the posts it relayed, newest first, paged as a
member's outbox; each thread's `context` (FEP-7888, `/groups/{name}/threads/{id}`) lists its posts, so that a
server that joins late can fetch a whole conversation; featured lists the threads its moderators pinned (their
ids, most recently pinned first), as Lemmy reads a community's."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.addressing import PUBLIC
from server.ap import negotiate
from server.ap.actors import OUTBOX_PAGE
from server.convert.actor_to_as import AS_NS, iso
from server.convert.group_to_as import featured_url, group_to_as, moderators_to_as, thread_url
from server.convert.post_to_as import post_to_note
from server.db.ids import as_id
from server.db.models import Group, Post
from server.services.groups import registry, threads
from server.services.reading.timelines import Page
from server.services.social.visibility_to_servers import follower_count


async def _group(request: Request, session) -> Group | None:
    """The federated group the path names, after the signature check authorized fetch needs."""
    runtime = request.app.state.runtime
    await negotiate.signing_actor(request, session, required=runtime.settings.authorized_fetch)
    group = await registry.group_named(session, runtime.settings.domain, request.path_params["name"])
    return group if group is not None and not group.members_only else None


async def _serve(request: Request, build) -> Response:
    async with request.app.state.runtime.sessions() as session:
        group = await _group(request, session)
        document = await build(session, group) if group is not None else None
        if document is None:
            return negotiate.not_found(request)
        return negotiate.activity_response(document)


def _empty(collection_id: str) -> dict:
    return {"@context": AS_NS, "id": collection_id, "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}


async def group_actor(request: Request) -> Response:
    """The Group actor, or for browsers the group's page in the web UI."""
    if not negotiate.wants_activity_json(request.headers.get("accept")):
        return await negotiate.web_page(request, "group")

    async def build(session, group):
        return group_to_as(group)
    return await _serve(request, build)


async def moderators(request: Request) -> Response:
    async def build(session, group):
        return moderators_to_as(group, [a.uri for a in await registry.moderators(session, group)])
    return await _serve(request, build)


async def followers(request: Request) -> Response:
    """The number of members, not who they are (as Lemmy serves a community's followers)."""
    async def build(session, group):
        return {"@context": AS_NS, "id": group.actor.followers_url, "type": "Collection",
                "totalItems": await follower_count(session, group.actor_id)}
    return await _serve(request, build)


def _announce(group: Group, post: Post, announce_uri: str) -> dict:
    return {"id": announce_uri, "type": "Announce", "actor": group.actor.uri, "object": post.uri,
            "to": [PUBLIC], "cc": [group.actor.followers_url], "audience": group.actor.uri,
            "published": iso(post.published)}


def _outbox_page(group: Group, rows: list[tuple[Post, str]], max_id: int | None, min_id: int | None) -> dict:
    outbox_id = group.actor.outbox
    bound = f"max_id={max_id}&" if max_id is not None else f"min_id={min_id}&" if min_id is not None else ""
    page = {"@context": AS_NS, "id": f"{outbox_id}?{bound}page=true", "type": "OrderedCollectionPage",
            "partOf": outbox_id, "orderedItems": [_announce(group, post, uri) for post, uri in rows]}
    if rows:
        page["next"] = f"{outbox_id}?max_id={rows[-1][0].id}&page=true"
        page["prev"] = f"{outbox_id}?min_id={rows[0][0].id}&page=true"
    return page


async def outbox(request: Request) -> Response:
    """The group's Announces of what it relayed, newest first: the collection, or with `page` one page."""
    params = request.query_params

    async def build(session, group):
        if not params.get("page"):
            return {**_empty(group.actor.outbox), "totalItems": await threads.relayed_count(session, group),
                    "first": f"{group.actor.outbox}?page=true", "last": f"{group.actor.outbox}?min_id=0&page=true"}
        max_id, min_id = as_id(params.get("max_id")), as_id(params.get("min_id"))
        rows = await threads.relayed(session, group, Page(max_id, None, min_id, OUTBOX_PAGE))
        return _outbox_page(group, rows, max_id, min_id)
    return await _serve(request, build)


async def thread_context(request: Request) -> Response:
    """A thread's FEP-7888 `context`: its posts' ids, the first post first, then the replies oldest first."""
    if not negotiate.wants_activity_json(request.headers.get("accept")):
        return await negotiate.web_page(request, "group_thread")  # the thread's page in the web UI
    thread_id = as_id(request.path_params["thread_id"])

    async def build(session, group):
        uris = await threads.thread(session, group, thread_id) if thread_id is not None else None
        if uris is None:
            return None
        url = thread_url(group, thread_id)
        return {"@context": AS_NS, "id": url, "type": "OrderedCollection", "attributedTo": group.actor.uri,
                "audience": group.actor.uri, "totalItems": len(uris), "orderedItems": uris}
    return await _serve(request, build)


async def featured(request: Request) -> Response:
    """The pinned threads, most recently pinned first: a member's here as its Page (Lemmy reads the objects
    themselves), one from elsewhere by id (its origin serves it)."""
    urls = request.app.state.runtime.urls

    async def build(session, group):
        items = [post_to_note(post, urls, context=False, in_group=await threads.in_group(session, post.id))
                 if post.local else post.uri for post in await threads.pinned_threads(session, group)]
        return {**_empty(featured_url(group)), "totalItems": len(items), "orderedItems": items}
    return await _serve(request, build)


GET = ["GET", "HEAD"]
ROUTES: list[Route] = [
    Route("/groups/{name}", group_actor, methods=GET),
    Route("/groups/{name}/moderators", moderators, methods=GET),
    Route("/groups/{name}/followers", followers, methods=GET),
    Route("/groups/{name}/outbox", outbox, methods=GET),
    Route("/groups/{name}/featured", featured, methods=GET),
    Route("/groups/{name}/threads/{thread_id}", thread_context, methods=GET),
]
