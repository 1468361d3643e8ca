"""/api/v1/conversations: a member's direct conversations (server.services.reading.conversations), as Mastodon
serves them: newest last status first, paged by that status's id; reading and hiding are per member."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.paging import link_header, read_page
from server.services.reading import conversations


async def _json(request: Request, session, shown: list[conversations.Conversation], viewer_id: int) -> list[dict]:
    state = request.app.state
    return await conversations.render(session, shown, viewer_id, state.urls, state.settings.domain)


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    viewer_id = auth.account.actor_id
    async with request.app.state.sessions() as session:
        rows, shown = await conversations.listing(session, viewer_id, page)
        return JSONResponse(await _json(request, session, shown, viewer_id),
                            headers=link_header(request, [r.last_status_id for r in rows]))


async def read(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    viewer_id = auth.account.actor_id
    async with request.app.state.sessions() as session:
        found = await conversations.mark_read(session, viewer_id, path_id(request))
        if found is None:
            raise not_found()
        await session.commit()
        [entity] = await _json(request, session, [found], viewer_id)
        return JSONResponse(entity)


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        if not await conversations.hide(session, auth.account.actor_id, path_id(request)):
            raise not_found()
        await session.commit()
        return JSONResponse({})
