"""/api/v1/timelines: home (written on arrival), public (local/remote/only_media) and hashtag timelines."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import Page, link_header, read_page
from server.api.mastodon.params import flag
from server.db.inline import read_rows
from server.db.models import Actor, Post, PostTag
from server.services.moderation.filters import visible_posts
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


def _public_filter(request: Request, query, member: bool):
    only_local = flag(request.query_params.get("local", False))
    only_remote = flag(request.query_params.get("remote", False))
    visibilities = ["public", "local"] if member and not only_remote else ["public"]
    query = query.where(Post.visibility.in_(visibilities), Post.boost_of_id.is_(None))
    if only_local:
        query = query.where(Post.local.is_(True))
    elif only_remote:
        query = query.where(Post.local.is_(False))
    if flag(request.query_params.get("only_media", False)):
        query = query.where(Post.attachments != [])
    return query


async def public(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        query = _public_filter(request, select(Post), viewer is not None)
        posts = page.arrange(list((await session.execute(page.apply(query, Post.id))).scalars()))
        shown = await visible_posts(session, posts, viewer, public=True)
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]))


async def tag(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    name = request.path_params["hashtag"].lower().lstrip("#")
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        query = _public_filter(request, select(Post).join(PostTag, PostTag.post_id == Post.id)
                               .where(PostTag.tag == name), viewer is not None)
        posts = page.arrange(list((await session.execute(page.apply(query, Post.id))).scalars()))
        shown = await visible_posts(session, posts, viewer, public=True)
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]))
