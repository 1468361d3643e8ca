"""Member directories: Mastodon's GET /api/v1/directory (discoverable accounts, `local=true` for members
only), and GET /api/v1/curbside/directory?specialty=CODE listing verified members by specialty. Both show
public names only: a pseudonymous member appears under their alias."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import accounts_json
from server.api.mastodon.paging import int_param
from server.api.mastodon.params import flag
from server.services.social import directory as members

MAX_OFFSET = 10**9 - 1


async def directory(request: Request) -> JSONResponse:
    await authenticate(request, "read:accounts", optional=True)
    limit, offset = int_param(request, "limit", 40, 80), int_param(request, "offset", 0, MAX_OFFSET, minimum=0)
    async with request.app.state.sessions() as session:
        actors = await members.discoverable(session, only_local=flag(request.query_params.get("local", False)),
                                            order=request.query_params.get("order") or "active",
                                            limit=limit, offset=offset)
        return await accounts_json(request, session, actors)


async def verified_directory(request: Request) -> JSONResponse:
    """Verified, discoverable local members, optionally of one `specialty` (NUCC code) or `profession`."""
    await authenticate(request, "read:accounts", optional=True)
    limit, offset = int_param(request, "limit", 40, 80), int_param(request, "offset", 0, MAX_OFFSET, minimum=0)
    async with request.app.state.sessions() as session:
        actors = await members.verified_members(session, specialty=request.query_params.get("specialty"),
                                                profession=request.query_params.get("profession"),
                                                limit=limit, offset=offset)
        return await accounts_json(request, session, actors)
