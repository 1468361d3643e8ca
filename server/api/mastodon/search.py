"""/api/v2/search: accounts (resolving user@domain over WebFinger), hashtags, and statuses by URL."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.paging import int_param
from server.api.mastodon.params import flag
from server.db.models import Actor
from server.services import lookup
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
            actors = await lookup.search_actors(state.runtime, session, query, resolve, limit)
            result["accounts"] = await render_accounts(session, actors, state.urls, state.settings.domain)
        if kind in (None, "hashtags"):
            result["hashtags"] = [{"name": tag, "url": state.urls.tag(tag), "history": []}
                                  for tag, _ in await lookup.search_hashtags(session, query, limit)]
        if kind in (None, "statuses") and (post := await lookup.post_by_url(session, query, viewer)) is not None:
            result["statuses"] = await render_statuses(session, [post], viewer, state.urls, state.settings.domain)
    return JSONResponse(result)
