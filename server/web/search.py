"""/search: accounts (`user@domain` is looked up over WebFinger, as the client API's resolve=true, so
that a member can follow someone from another server), hashtags, posts by their words (those the member
may find: server.services.posts.search) and a post by its address (fetched from its server if need be)."""
from __future__ import annotations

from starlette.responses import Response

from server.db import fulltext
from server.services.posts.search import StatusSearch, search_hashtags, search_statuses
from server.services.social import lookup
from server.web.page import Web
from server.web.status_view import account_cards, status_cards, viewer_actor

LIMIT = 20
MAX_QUERY = 300


async def search(web: Web) -> Response:
    query = web.request.query_params.get("q", "").strip()[:MAX_QUERY]
    if not query:
        return web.render("posts/search.html", q="", searched=False)
    viewer = viewer_actor(web)
    if lookup.is_url(query):
        posts = await lookup.posts_by_url(web.runtime, web.db, viewer, query, resolve=True)
        await web.db.commit()
        return web.render("posts/search.html", q=query, searched=True, accounts=[], hashtags=[],
                          statuses=await status_cards(web, posts), by_url=True)
    remote = "@" in query.lstrip("@")
    actors = await lookup.search_actors(web.runtime, web.db, query, resolve=remote, limit=LIMIT,
                                        viewer=viewer)
    hashtags = await search_hashtags(web.db, viewer, query, limit=LIMIT, offset=0)
    posts = []
    if not lookup.lone_tag_or_acct(query):
        await lookup.index_pending(web.db)
        posts = await search_statuses(web.db, viewer, StatusSearch(fulltext.parse_query(query), limit=LIMIT))
    return web.render("posts/search.html", q=query, searched=True, accounts=await account_cards(web, actors),
                      hashtags=hashtags, statuses=await status_cards(web, posts), unresolved=remote and not actors)
