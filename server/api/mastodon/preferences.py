"""GET /api/v1/preferences: the member's posting defaults and reading choices, as Mastodon names them.

Curbside keeps none of these per member yet (its compose form and `source` in verify_credentials start
every post public, not sensitive, language unset), so every member gets those, the same values
verify_credentials reports; clients read them to preset their compose screens."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate

DEFAULTS = {
    "posting:default:visibility": "public",
    "posting:default:sensitive": False,
    "posting:default:language": None,
    "reading:expand:media": "default",
    "reading:expand:spoilers": False,
}


async def show(request: Request) -> JSONResponse:
    await authenticate(request)
    return JSONResponse(DEFAULTS)
