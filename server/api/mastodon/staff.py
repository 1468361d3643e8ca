"""Who may use the admin API: a token with the admin scope asked for AND a moderator or admin
role, as Mastodon requires both."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.api.mastodon.auth import Auth, authenticate

STAFF_ROLES = ("admin", "moderator")


async def staff(request: Request, scope: str, *, admin_only: bool = False) -> Auth:
    """401 without a token, 403 without `scope` or without the role."""
    auth = await authenticate(request, scope)
    roles = ("admin",) if admin_only else STAFF_ROLES
    if auth.account.role not in roles:
        raise HTTPException(403, "This action is not allowed")
    return auth
