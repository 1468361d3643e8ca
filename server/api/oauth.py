"""OAuth 2 endpoints Mastodon clients use: /oauth/token, /oauth/revoke, and the metadata; the /oauth/authorize
page is a web page (server.web.oauth_consent)."""
from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from federation.json_input import valid_text
from moderation.errors import Kind, ServiceError
from server.api.mastodon.params import Params, read_params
from server.errors import retry_headers
from server.services.accounts import oauth
from server.services.accounts.login import check_login
from server.services.accounts.scopes import KNOWN


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _client_credentials(request: Request, params: Params) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None
        return (client_id, secret) if valid_text(client_id + secret) else (None, None)
    return params.text("client_id"), params.text("client_secret")


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refused(exc: ServiceError) -> JSONResponse:
    """A refused login (invalid_grant), too many of them (429), or an unknown scope (invalid_scope)."""
    if exc.kind is Kind.RATE_LIMITED:
        return JSONResponse({"error": "too_many_attempts", "error_description": str(exc)}, status_code=429,
                            headers=retry_headers(exc))
    return _error("invalid_grant" if exc.kind is Kind.FORBIDDEN else "invalid_scope", str(exc))


def _token_json(issued: oauth.IssuedToken) -> JSONResponse:
    body = {"access_token": issued.access_token, "token_type": "Bearer", "scope": issued.scopes,
            "created_at": issued.created_at}
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def token(request: Request) -> Response:
    params = await read_params(request)
    grant = params.text("grant_type")
    async with request.app.state.sessions() as session:
        try:
            app = await oauth.authenticate_app(session, *_client_credentials(request, params))
            if grant == "authorization_code":
                issued = await oauth.exchange_code(session, app, params.text("code", ""),
                                                   params.text("redirect_uri", ""), params.text("code_verifier"))
            elif grant == "client_credentials":
                scopes = oauth.app_scopes(app, params.text("scope") or "read")
                issued = await oauth.issue_token(session, app, None, scopes, refreshable=False)
            elif grant == "refresh_token":
                issued = await oauth.refresh(session, app, params.text("refresh_token", ""))
            elif grant == "password":
                account = await check_login(session, params.text("username", ""), params.text("password", ""),
                                            ip=_client_ip(request))
                scopes = oauth.check_request(app, app.redirect_uris.split("\n")[0], params.text("scope"))
                issued = await oauth.issue_token(session, app, account, scopes)
            else:
                return _error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        except oauth.OAuthError as exc:
            return _error(exc.error, str(exc), 401 if exc.error == "invalid_client" else 400)
        except ServiceError as exc:
            return _refused(exc)
        await session.commit()
    return _token_json(issued)


async def revoke(request: Request) -> Response:
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        try:
            app = await oauth.authenticate_app(session, *_client_credentials(request, params))
        except oauth.OAuthError as exc:
            return _error(exc.error, str(exc), 401)
        await oauth.revoke(session, app, params.text("token", ""))
        await session.commit()
    return JSONResponse({})


async def metadata(request: Request) -> JSONResponse:
    base = request.app.state.settings.base_url
    return JSONResponse({
        "issuer": base + "/", "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token", "revocation_endpoint": f"{base}/oauth/revoke",
        "app_registration_endpoint": f"{base}/api/v1/apps", "scopes_supported": sorted(KNOWN),
        "response_types_supported": ["code"], "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", "password"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256", "plain"], "service_documentation": "https://docs.joinmastodon.org/",
    })


ROUTES = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/.well-known/oauth-authorization-server", metadata),
]
