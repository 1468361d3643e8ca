"""/api/v1/announcements: what the society's admins announce to members, with dismissing and emoji reactions."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import path_id
from server.api.mastodon.params import query
from server.services.instance import announcements


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    with_dismissed = bool(query(request).flag("with_dismissed"))
    async with request.app.state.sessions() as session:
        rows = await announcements.for_member(session, auth.account.actor_id, with_dismissed=with_dismissed)
        return JSONResponse(await announcements.render(session, rows, auth.account.actor_id))


async def dismiss(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await announcements.dismiss(session, auth.account.actor_id, path_id(request))
        await session.commit()
    return JSONResponse({})


async def react(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await announcements.react(session, auth.account.actor_id, path_id(request), request.path_params["name"])
        await session.commit()
    return JSONResponse({})


async def unreact(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await announcements.unreact(session, auth.account.actor_id, path_id(request), request.path_params["name"])
        await session.commit()
    return JSONResponse({})
