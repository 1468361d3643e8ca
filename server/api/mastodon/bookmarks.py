"""/api/v1/bookmarks and /api/v1/statuses/:id/(un)bookmark: posts a member keeps for later, privately."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.statuses import status_action
from server.db.models import Actor, Bookmark
from server.services.posts import post_actions
from server.services.reading import timelines as reading

bookmark = status_action(post_actions.BOOKMARK)
unbookmark = status_action(post_actions.UNBOOKMARK)


async def saved_list(request: Request, kept) -> JSONResponse:
    """Statuses the member bookmarked or favourited (`kept`: Bookmark or Like), newest first."""
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id)
        ids, posts = await reading.saved(session, viewer, page, kept)
        return await statuses_json(request, session, posts, viewer, link_header(request, ids))


async def index(request: Request) -> JSONResponse:
    return await saved_list(request, Bookmark)
