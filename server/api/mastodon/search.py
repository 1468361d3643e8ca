"""/api/v2/search: accounts (resolving user@domain over WebFinger), hashtags, and statuses by their words
(server.services.posts.search says which a member may find) or by URL (fetched when `resolve` is asked).
Without a token: no `resolve`, no `offset`, and no statuses by their words, as on Mastodon."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.paging import id_param, int_param, read_page
from server.api.mastodon.params import flag
from server.db import fulltext
from server.db.models import Actor
from server.services.posts.search import MAX_OFFSET, StatusSearch, search_hashtags, search_statuses
from server.services.reading.page_views import render_accounts, render_statuses
from server.services.social import lookup

KINDS = (None, "accounts", "hashtags", "statuses")


async def _by_words(request: Request, viewer_id: int, search: StatusSearch) -> list[dict]:
    """Rendered statuses found by their words: reads only, inline on SQLite (server.db.inline), once the
    index has caught up with queued posts."""
    state = request.app.state
    async with state.sessions() as session:
        await lookup.index_pending(session)
    async with state.runtime.reads() as reader:
        viewer = await reader.get(Actor, viewer_id)
        posts = await search_statuses(reader, viewer, search)
        return await render_statuses(reader, posts, viewer, state.urls, state.settings.domain)


async def search(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = request.query_params
    query, kind = (params.get("q") or "").strip(), params.get("type") or None
    resolve, offset = flag(params.get("resolve", False)), int_param(request, "offset", 0, MAX_OFFSET + 1, minimum=0)
    if auth is None and (resolve or offset):
        raise HTTPException(401, "Search queries with resolve or offset need a user token")
    page, account_id = read_page(request), id_param(request, "account_id")
    state = request.app.state
    result = {"accounts": [], "statuses": [], "hashtags": []}
    if kind not in KINDS or not query:
        return JSONResponse(result)
    url = lookup.is_url(query)
    async with state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        if kind in (None, "accounts") and not url:
            actors = (await lookup.search_actors(state.runtime, session, query, resolve, offset + page.limit,
                                                 viewer))[offset:]
            result["accounts"] = await render_accounts(session, actors, state.urls, state.settings.domain)
        if kind in (None, "hashtags") and not url:
            tags = await search_hashtags(session, viewer, query, limit=page.limit, offset=offset)
            result["hashtags"] = [{"name": tag, "url": state.urls.tag(tag), "history": []} for tag in tags]
        if kind in (None, "statuses") and url and not offset:
            posts = await lookup.posts_by_url(state.runtime, session, viewer, query, resolve=resolve)
            result["statuses"] = await render_statuses(session, posts, viewer, state.urls, state.settings.domain)
    if kind in (None, "statuses") and not url and auth is not None and (kind or not lookup.lone_tag_or_acct(query)):
        result["statuses"] = await _by_words(request, auth.account.actor_id, StatusSearch(
            fulltext.parse_query(query), account_id=account_id, max_id=page.max_id, min_id=page.min_id,
            offset=offset, limit=page.limit))
    return JSONResponse(result)
