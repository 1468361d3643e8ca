"""/api/v1/timelines: home (written on arrival), public (local/remote/only_media) and hashtag timelines."""
from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import flag
from server.db.models import Actor, HomeTimelineEntry, Post, PostTag
from server.services.moderation.filters import visible_posts


async def home(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.runtime.reads() as session:
        viewer = auth.account.actor_id  # the id is all a timeline needs of its reader: no query for the actor
        query = (select(Post).join(HomeTimelineEntry, HomeTimelineEntry.post_id == Post.id)
                 .where(HomeTimelineEntry.owner_id == viewer))
        # ordered by the timeline's own column: its primary key (owner_id, post_id) walks the page directly
        posts = page.arrange(list((await session.execute(page.apply(query, HomeTimelineEntry.post_id))).scalars()))
        shown = await visible_posts(session, posts, viewer)
        return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]))


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
