"""Who may use the curbside admin API: moderators and admins review verifications; admins alone change
the instance (invites, registrations, trusted verifiers, settings) and verify members directly."""
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
