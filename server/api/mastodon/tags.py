"""Hashtags: /api/v1/tags/:name (show, follow, unfollow) and /api/v1/followed_tags."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.paging import link_header, read_page
from server.services.reading import followed_tags


def _name(request: Request) -> str:
    return followed_tags.normalize_tag(request.path_params["hashtag"])


async def _entity(request: Request, session, tag: str, viewer_id: int | None) -> JSONResponse:
    state = request.app.state
    return JSONResponse((await followed_tags.tag_entities(session, state.urls, [tag], viewer_id))[0])


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    tag = _name(request)
    async with request.app.state.sessions() as session:
        return await _entity(request, session, tag, auth.account.actor_id if auth else None)


def _change(action):
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        tag = _name(request)
        async with request.app.state.sessions() as session:
            await action(session, auth.account.actor_id, tag)
            await session.commit()
            return await _entity(request, session, tag, auth.account.actor_id)
    return handler


follow = _change(followed_tags.follow_tag)
unfollow = _change(followed_tags.unfollow_tag)


async def followed(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request, default=100, maximum=200)
    state = request.app.state
    async with state.sessions() as session:
        rows = await followed_tags.followed_page(session, auth.account.actor_id, page)
        entities = await followed_tags.tag_entities(session, state.urls, [r.tag for r in rows], auth.account.actor_id)
        return JSONResponse(entities, headers=link_header(request, [r.id for r in rows]))
