"""GET /api/v2/suggestions (colleagues of the member's specialty, verified ones first), GET /api/v1/suggestions (the
same accounts, as Mastodon's v1 answers: Account entities alone) and DELETE /api/v1/suggestions/:account_id (not to
be suggested again)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import path_id
from server.api.mastodon.paging import int_param
from server.convert.suggestion_to_mastodon import suggestion_to_mastodon
from server.services.reading.page_views import render_accounts
from server.services.social import suggestions


async def _suggested(request: Request) -> tuple[list[suggestions.Suggestion], list[dict]]:
    """The caller's suggestions and their Account entities."""
    auth = await authenticate(request)
    limit = int_param(request, "limit", 40, 80)
    state = request.app.state
    async with state.sessions() as session:
        found = await suggestions.suggestions(session, auth.account.actor_id, limit)
        return found, await render_accounts(session, [s.actor for s in found], state.urls, state.settings.domain)


async def index(request: Request) -> JSONResponse:
    found, accounts = await _suggested(request)
    return JSONResponse([suggestion_to_mastodon(a, verified=s.verified) for s, a in zip(found, accounts)])


async def index_v1(request: Request) -> JSONResponse:
    return JSONResponse((await _suggested(request))[1])


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await suggestions.dismiss(session, auth.account.actor_id, path_id(request, "account_id"))
        await session.commit()
    return JSONResponse({})
