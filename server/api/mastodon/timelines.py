"""/api/v1/timelines: home (written on arrival), public (local/remote/only_media) and hashtag timelines."""
from __future__ import annotations

from functools import lru_cache

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
from server.services.reading import timelines as reading
from server.services.reading.status_json import HOME_KEY, home_statement, page_json
from server.services.reading.timelines import Page

PAGE_BOUNDS = ("max_id", "since_id", "min_id")


def _home_statement(session, page: Page, viewer: int) -> tuple[object, dict]:
    """A home page's statement, built once per database kind and kind of page (which of max_id, since_id and
    min_id it has) with its values bound, so that no request pays for building a new statement."""
    values = {"max_id": page.max_id, "since_id": page.since_id, "min_id": page.min_id}
    statement = _home_page(session.bind.dialect.name, *(v is not None for v in values.values()))
    return statement, {**{k: v for k, v in values.items() if v is not None}, "viewer": viewer, "limit": page.limit}


@lru_cache(maxsize=2 * 8)  # a constant per dialect and shape of page (which bounds it has), built at first use
def _home_page(dialect: str, *given: bool) -> object:
    bound = Page(*(bindparam(name) if present else None for name, present in zip(PAGE_BOUNDS, given)),
                 bindparam("limit"))
    return bound.apply(home_statement(dialect), HOME_KEY)


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
    async with request.app.state.runtime.replica_reads() as session:
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
