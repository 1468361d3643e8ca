"""POST /api/v1/apps and GET /api/v1/apps/verify_credentials."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import ServiceError
from server.api.mastodon.auth import authenticate
from server.api.mastodon.params import read_params
from server.services.accounts.oauth import OAuthError, register_app
from server.services.push.subscriptions import server_key


async def create_app(request: Request) -> JSONResponse:
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        try:
            app = await register_app(session, params.text("client_name", ""),
                                     " ".join(params.texts("redirect_uris") or []), params.text("scopes"),
                                     params.text("website"))
        except (OAuthError, ServiceError) as exc:
            raise HTTPException(422, str(exc)) from None
        await session.commit()
    return JSONResponse({"id": str(app.id), "name": app.name, "website": app.website,
                         "redirect_uri": app.redirect_uris, "redirect_uris": app.redirect_uris.split("\n"),
                         "scopes": app.scopes.split(), "client_id": app.client_id,
                         "client_secret": app.client_secret,
                         "vapid_key": server_key(request.app.state.settings)})


async def verify_app(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    if auth.app is None:
        raise HTTPException(401, "The access token is not an app's token")
    return JSONResponse({"name": auth.app.name, "website": auth.app.website, "scopes": sorted(auth.scopes),
                         "redirect_uris": auth.app.redirect_uris.split("\n"),
                         "vapid_key": server_key(request.app.state.settings)})
