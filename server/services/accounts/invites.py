"""Invite links: a code with an optional use limit and expiry, made by admins (or moderators)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Account, Invite
from server.db.types import utcnow
from server.i18n import N_
from server.urls import LocalUrls

MAX_USES = 10_000
MAX_DAYS = 3650


def invite_url(urls: LocalUrls, invite: Invite) -> str:
    return f"{urls.base}/invite/{invite.code}"


async def create_invite(session: AsyncSession, by: Account | None, *, max_uses: int | None = None,
                        expires_in_days: float | None = None) -> Invite:
    if max_uses is not None and not 0 < max_uses <= MAX_USES:
        raise ServiceError(N_("uses must be between 1 and %(limit)s"), values={"limit": MAX_USES})
    if expires_in_days is not None and not 0 < expires_in_days <= MAX_DAYS:
        raise ServiceError(N_("expiry must be between 1 day and %(limit)s days"), values={"limit": MAX_DAYS})
    invite = Invite(code=secrets.token_urlsafe(12), created_by_id=by.id if by else None, max_uses=max_uses,
                    expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None)
    session.add(invite)
    await session.flush()
    return invite


def is_usable(invite: Invite) -> bool:
    return (invite.revoked_at is None and (invite.expires_at is None or invite.expires_at > utcnow())
            and (invite.max_uses is None or invite.uses < invite.max_uses))


async def use_invite(session: AsyncSession, code: str) -> Invite:
    """Count one use of the invite `code`; ServiceError if it is unknown, revoked, expired or used up."""
    invite = (await session.execute(select(Invite).where(Invite.code == (code or "").strip()))).scalar_one_or_none()
    if invite is None or not is_usable(invite):
        raise ServiceError(N_("this invite is invalid, expired or used up"))
    # A guarded UPDATE: two registrations racing for the last use cannot both get it.
    counted = await session.execute(update(Invite).where(
        Invite.id == invite.id, (Invite.max_uses.is_(None)) | (Invite.uses < Invite.max_uses))
        .values(uses=Invite.uses + 1).execution_options(synchronize_session=False))
    if counted.rowcount != 1:
        raise ServiceError(N_("this invite is invalid, expired or used up"))
    await session.refresh(invite)
    return invite


async def list_invites(session: AsyncSession, *, usable_only: bool = False) -> list[Invite]:
    invites = list((await session.execute(select(Invite).order_by(Invite.id.desc()))).scalars())
    return [i for i in invites if is_usable(i)] if usable_only else invites


async def revoke_invite(session: AsyncSession, invite_id: int) -> Invite | None:
    invite = await session.get(Invite, invite_id)
    if invite is not None and invite.revoked_at is None:
        invite.revoked_at = utcnow()
    return invite
