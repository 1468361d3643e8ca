"""Featured hashtags: /api/v1/featured_tags (the member's own: list, feature, unfeature, suggestions) and
/api/v1/accounts/:id/featured_tags (anyone's, as their profile shows them)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import read_params
from server.convert.featured_tag_to_mastodon import featured_tag_to_mastodon
from server.db.models import Actor
from server.services.moderation.hidden_from_viewers import actor_hidden
from server.services.reading.followed_tags import tag_entities
from server.services.social import featured_tags


def _entities(request: Request, found: list[featured_tags.Featured]) -> list[dict]:
    return [featured_tag_to_mastodon(f, request.app.state.urls) for f in found]


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        return JSONResponse(_entities(request, await featured_tags.featured(session, me)))


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        found = await featured_tags.feature(request.app.state.runtime, session, me, params.text("name") or "")
        await session.commit()
        return JSONResponse(_entities(request, [found])[0])


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        await featured_tags.unfeature(request.app.state.runtime, session, me, path_id(request))
        await session.commit()
    return JSONResponse({})


async def suggestions(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        tags = await featured_tags.suggestions(session, me)
        return JSONResponse(await tag_entities(session, request.app.state.urls, tags, me.id))


async def of_account(request: Request) -> JSONResponse:
    await authenticate(request)
    async with request.app.state.sessions() as session:
        actor = await session.get(Actor, path_id(request))
        if actor is None or await actor_hidden(session, actor):
            raise not_found()
        found = await featured_tags.featured(session, actor) if actor.local else []
        return JSONResponse(_entities(request, found))
