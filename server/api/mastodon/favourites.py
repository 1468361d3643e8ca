"""/api/v1/favourites: the statuses the member favourited, newest favourite first."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.bookmarks import saved_list
from server.db.models import Like


async def index(request: Request) -> JSONResponse:
    return await saved_list(request, Like)
