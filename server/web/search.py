"""/search: accounts (`user@domain` is looked up over WebFinger, as the client API's resolve=true, so
that a member can follow someone from another server), hashtags, and a post by its URL."""
from __future__ import annotations

from starlette.responses import Response

from server.services import lookup
from server.web.page import Web
from server.web.status_view import account_cards, status_cards, viewer_actor

LIMIT = 20
MAX_QUERY = 300


async def search(web: Web) -> Response:
    query = web.request.query_params.get("q", "").strip()[:MAX_QUERY]
    if not query:
        return web.render("posts/search.html", q="", searched=False)
    viewer = viewer_actor(web)
    remote = "@" in query.lstrip("@")
    actors = await lookup.search_actors(web.runtime, web.db, query, resolve=remote, limit=LIMIT)
    hashtags = [] if remote else await lookup.search_hashtags(web.db, query, LIMIT)
    post = await lookup.post_by_url(web.db, query, viewer)
    return web.render("posts/search.html", q=query, searched=True, accounts=await account_cards(web, actors),
                      hashtags=hashtags, statuses=await status_cards(web, [post] if post else []),
                      unresolved=remote and not actors)
