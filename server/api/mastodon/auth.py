"""Bearer-token authentication and scope checks for the client API."""
from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.db.models import Account, OAuthApp
from server.services.oauth import lookup_token
from server.services.scopes import covers, parse_scopes


@dataclass(frozen=True)
class Auth:
    account: Account | None
    app: OAuthApp | None
    scopes: frozenset[str]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


async def authenticate(request: Request, scope: str | None, *, user: bool = True, optional: bool = False,
                       unconfirmed: bool = False) -> Auth | None:
    """The caller's token, checked for `scope`; 401 without a valid token, 403 without the scope.

    `user=False` accepts app-only (client credentials) tokens; `optional=True` returns None without a token.
    A member who has not confirmed their email address gets 403 unless `unconfirmed` (as on Mastodon).
    """
    token = bearer(request)
    if token is None:
        if optional:
            return None
        raise HTTPException(401, "The access token is invalid")
    async with request.app.state.sessions() as session:
        row = await lookup_token(session, token)
    if row is None:
        raise HTTPException(401, "The access token is invalid")
    scopes = parse_scopes(row.scopes)
    if scope and not covers(scopes, scope):
        raise HTTPException(403, "This action is outside the authorized scopes")
    if user and row.account is None:
        raise HTTPException(422, "This method requires an authenticated user")
    if row.account is not None and row.account.confirmed_at is None and not unconfirmed:
        raise HTTPException(403, "Your login is missing a confirmed e-mail address")
    return Auth(account=row.account, app=row.app, scopes=scopes)
