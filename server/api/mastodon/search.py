"""/api/v2/search: accounts (resolving user@domain over WebFinger), hashtags, and statuses by URL."""
from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.accounts import search_actors
from server.api.mastodon.auth import authenticate
from server.api.mastodon.paging import int_param
from server.api.mastodon.params import flag
from server.db.models import Actor, Post, PostTag
from server.services.access import may_see
from server.services.moderation.filters import visible_posts
from server.services.views import render_accounts, render_statuses


async def search(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    query = (request.query_params.get("q") or "").strip()
    kind = request.query_params.get("type")
    resolve = flag(request.query_params.get("resolve", False)) and auth is not None
    limit = int_param(request, "limit", 20, 40)
    state = request.app.state
    result = {"accounts": [], "statuses": [], "hashtags": []}
    async with state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        if kind in (None, "accounts") and query:
            actors = await search_actors(request, session, query, resolve, limit)
            result["accounts"] = await render_accounts(session, actors, state.urls, state.settings.domain)
        if kind in (None, "hashtags") and query.lstrip("#"):
            name = query.lstrip("#").lower()
            rows = await session.execute(select(PostTag.tag, func.count()).where(PostTag.tag.like(name + "%"))
                                         .group_by(PostTag.tag).order_by(func.count().desc()).limit(limit))
            result["hashtags"] = [{"name": tag, "url": state.urls.tag(tag), "history": []} for tag, _ in rows.all()]
        if kind in (None, "statuses") and query.startswith(("https://", "http://")):
            post = (await session.execute(select(Post).where((Post.uri == query) | (Post.url == query)))).scalars().first()
            if post is not None and await may_see(session, post, viewer) and await visible_posts(session, [post], viewer):
                result["statuses"] = await render_statuses(session, [post], viewer, state.urls, state.settings.domain)
    return JSONResponse(result)
