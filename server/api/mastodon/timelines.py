"""/api/v1/timelines: home (written on arrival), public (local/remote/only_media) and hashtag timelines."""
from __future__ import annotations

from sqlalchemy import bindparam
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import flag
from server.db.inline import read_rows
from server.db.models import Actor
from server.services import reading
from server.services.reading import Page
from server.services.status_pages import HOME_KEY, home_statement, page_json

_HOME_PAGES: dict[tuple, object] = {}


def _home_statement(session, page: Page, viewer: int) -> tuple[object, dict]:
    """A home page's statement, built once per database kind and kind of page (which of max_id, since_id and
    min_id it has) with its values bound, so that no request pays for building a new statement."""
    values = {"max_id": page.max_id, "since_id": page.since_id, "min_id": page.min_id}
    shape = (session.bind.dialect.name, *(v is not None for v in values.values()))
    statement = _HOME_PAGES.get(shape)
    if statement is None:
        bound = Page(*(bindparam(name) if given else None for name, given in zip(values, shape[1:])),
                     bindparam("limit"))
        statement = _HOME_PAGES[shape] = bound.apply(home_statement(session), HOME_KEY)
    return statement, {**{k: v for k, v in values.items() if v is not None}, "viewer": viewer, "limit": page.limit}


async def home(request: Request) -> Response:
    auth = await authenticate(request)
    page = read_page(request)
    state = request.app.state
    async with state.runtime.reads() as session:
        viewer = auth.account.actor_id  # the id is all a timeline needs of its reader: no query for the actor
        rows = page.arrange(await read_rows(session, *_home_statement(session, page, viewer)))
        body = await page_json(session, rows, viewer, state.urls, state.settings.domain)
    return Response(body, media_type="application/json", headers=link_header(request, [r[0] for r in rows]))


async def _public(request: Request, tag: str | None = None) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    params = request.query_params
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        try:
            posts, shown = await reading.public(
                session, viewer, page, only_local=flag(params.get("local", False)),
                only_remote=flag(params.get("remote", False)), only_media=flag(params.get("only_media", False)),
                tag=tag)
        except reading.MembersOnly as exc:
            raise HTTPException(401, str(exc)) from None
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]),
                                   "public")


async def public(request: Request) -> JSONResponse:
    return await _public(request)


async def tag(request: Request) -> JSONResponse:
    return await _public(request, request.path_params["hashtag"])
