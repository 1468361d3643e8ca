"""Who may use the admin APIs: a token with the admin scope asked for AND a moderator or admin role, as
Mastodon requires both. Admins alone change the instance (invites, registrations, trusted verifiers, settings)."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.api.mastodon.auth import Auth, authenticate

REVIEWERS = ("admin", "moderator")


async def staff(request: Request, scope: str, *, admin_only: bool = False) -> Auth:
    auth = await authenticate(request, scope)
    allowed = ("admin",) if admin_only else REVIEWERS
    if auth.account.role not in allowed:
        raise HTTPException(403, "This action is not allowed" + (" (admins only)" if admin_only else ""))
    return auth
