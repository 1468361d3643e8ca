"""/api/v1/timelines: home (written on arrival), public (local/remote/only_media) and hashtag timelines."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import flag
from server.db.models import Actor
from server.services import reading


async def home(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.runtime.reads() as session:
        viewer = auth.account.actor_id  # the id is all a timeline needs of its reader: no query for the actor
        posts, shown = await reading.home(session, viewer, page)
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]))


async def _public(request: Request, tag: str | None = None) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    params = request.query_params
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        posts, shown = await reading.public(
            session, viewer, page, only_local=flag(params.get("local", False)),
            only_remote=flag(params.get("remote", False)), only_media=flag(params.get("only_media", False)), tag=tag)
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]))


async def public(request: Request) -> JSONResponse:
    return await _public(request)


async def tag(request: Request) -> JSONResponse:
    return await _public(request, request.path_params["hashtag"])
