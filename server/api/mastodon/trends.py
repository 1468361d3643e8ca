"""/api/v1/trends/tags (and /api/v1/trends), /trends/statuses and /trends/links: what trends here
(server.services.reading.trends), paged by offset with Link headers as Mastodon pages them."""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import int_param
from server.db.models import Actor
from server.services.reading import followed_tags, trends
from server.services.reading.timelines import MembersOnly

MAX_OFFSET = 10_000


def _window(request: Request, default: int, maximum: int) -> tuple[int, int]:
    return int_param(request, "limit", default, maximum), int_param(request, "offset", 0, MAX_OFFSET, minimum=0)


def _next(request: Request, limit: int, offset: int, count: int) -> dict[str, str]:
    """Link: next (the following `limit`) when this page was full."""
    if count < limit:
        return {}
    keep = {k: v for k, v in request.query_params.multi_items() if k != "offset"}
    return {"Link": f'<{request.url.replace(query="")}?{urlencode({**keep, "offset": offset + limit})}>; rel="next"'}


async def _viewer(request: Request, session) -> Actor | None:
    auth = await authenticate(request)
    return await session.get(Actor, auth.account.actor_id) if auth else None


async def tags(request: Request) -> JSONResponse:
    limit, offset = _window(request, 10, 20)
    state = request.app.state
    async with state.sessions() as session:
        viewer = await _viewer(request, session)
        try:
            names = await trends.tags(session, viewer, limit, offset)
        except MembersOnly as exc:
            raise HTTPException(401, str(exc)) from None
        body = await followed_tags.tag_entities(session, state.urls, names, viewer.id if viewer else None)
    return JSONResponse(body, headers=_next(request, limit, offset, len(names)))


async def statuses(request: Request) -> JSONResponse:
    limit, offset = _window(request, 20, 40)
    async with request.app.state.sessions() as session:
        viewer = await _viewer(request, session)
        try:
            posts = await trends.statuses(session, viewer, limit, offset)
        except MembersOnly as exc:
            raise HTTPException(401, str(exc)) from None
        return await statuses_json(request, session, posts, viewer, _next(request, limit, offset, len(posts)), "public")


async def links(request: Request) -> JSONResponse:
    """Always empty: Curbside fetches no preview cards (every status's `card` is null), so no link can trend."""
    await authenticate(request)
    return JSONResponse([])
