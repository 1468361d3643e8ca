"""ActivityPub endpoints of groups hosted here: `/groups/{name}` (the Group actor) and its collections.

A members-only group is not federated: every one of its documents answers 404 to other servers, as
members-only posts do. The outbox and featured collections are served empty until threads are kept."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.ap import negotiate
from server.convert.actor_to_as import AS_NS
from server.convert.group_to_as import featured_url, group_to_as, moderators_to_as
from server.db.models import Group
from server.services.groups import registry
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
        if group is None:
            return negotiate.not_found(request)
        return negotiate.activity_response(await build(session, group))


def _empty(collection_id: str) -> dict:
    return {"@context": AS_NS, "id": collection_id, "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}


async def group_actor(request: Request) -> Response:
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


async def outbox(request: Request) -> Response:
    async def build(session, group):
        return _empty(group.actor.outbox)
    return await _serve(request, build)


async def featured(request: Request) -> Response:
    async def build(session, group):
        return _empty(featured_url(group))
    return await _serve(request, build)


GET = ["GET", "HEAD"]
ROUTES: list[Route] = [
    Route("/groups/{name}", group_actor, methods=GET),
    Route("/groups/{name}/moderators", moderators, methods=GET),
    Route("/groups/{name}/followers", followers, methods=GET),
    Route("/groups/{name}/outbox", outbox, methods=GET),
    Route("/groups/{name}/featured", featured, methods=GET),
]
