"""What admins do to members: approve or reject registrations, make and revoke invites, change roles,
disable and enable accounts. Each step writes the moderation audit log in the caller's transaction
(the registration and invite services themselves do not); the caller commits. The web pages, the admin
API and the `curbside` commands all come through here, so that no path skips the log.

Who may change whom is server.services.moderation.roles's to say (rank, never oneself, never the last
admin): an instance cannot lose its last admin by a slip of the mouse, nor an admin to a moderator."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.caches import forget_actor
from server.db import effects
from server.db.models import Account, AccountModeration, Actor, Invite
from server.db.types import utcnow
from server.i18n import N_
from server.services.accounts import invites, registration, web_sessions
from server.services.accounts.members import ROLES
from server.services.instance.mail import Message
from server.services.moderation import audit, roles
from server.services.reading import stream_events
from server.settings import Settings

# Who acts: an admin's account, or the name of a non-member author such as "cli:root" (the command line).
By = Account | str


def _changed(session: AsyncSession, username: str) -> None:
    """After the commit: the member's documents are made anew, and cached tokens read again (a role counts at once)."""
    forget_actor(session, username)
    effects.forget(session, "tokens")


def _who(account: Account) -> str:
    return audit.actor_name(account.actor)


async def _log(session: AsyncSession, by: By, action: str, target_type: str, target: str, reason: str = "",
               details: dict | None = None) -> None:
    if isinstance(by, Account):
        await audit.record(session, by.actor, action, target_type, target, reason, details)
    else:
        await audit.record(session, None, action, target_type, target, reason, details, by=by)


async def approve_registration(session: AsyncSession, settings: Settings, account: Account, *,
                               by: By) -> Message:
    """Let a pending registration in; returns the welcome mail to send after committing."""
    message = await registration.approve_registration(session, settings, account)
    await _log(session, by, "registration.approve", "account", _who(account), "", {"email": account.email})
    _changed(session, account.actor.username)
    return message


async def reject_registration(session: AsyncSession, account: Account, *, by: By, reason: str = "") -> None:
    """Refuse a pending registration (the account is removed); the log keeps its name and email."""
    name, email = _who(account), account.email
    _changed(session, account.actor.username)
    await registration.reject_registration(session, account)
    await _log(session, by, "registration.reject", "account", name, reason, {"email": email})


async def create_invite(session: AsyncSession, *, by: By, max_uses: int | None,
                        expires_in_days: float | None) -> Invite:
    creator = by if isinstance(by, Account) else None
    invite = await invites.create_invite(session, creator, max_uses=max_uses, expires_in_days=expires_in_days)
    await _log(session, by, "invite.create", "invite", str(invite.id), "",
               {"max_uses": max_uses, "expires_at": invite.expires_at.isoformat() if invite.expires_at else None})
    return invite


async def revoke_invite(session: AsyncSession, invite_id: int, *, by: By) -> Invite:
    invite = await session.get(Invite, invite_id)
    if invite is None:
        raise ServiceError(N_("no such invite"), Kind.NOT_FOUND)
    if invite.revoked_at is not None:
        raise ServiceError(N_("this invite is revoked already"), Kind.CONFLICT)
    await invites.revoke_invite(session, invite_id)
    await _log(session, by, "invite.revoke", "invite", str(invite.id), "", {"uses": invite.uses})
    return invite


async def set_role(session: AsyncSession, account: Account, role: str, *, by: By) -> bool:
    """Make `account` a member, moderator or admin; False if it had that role already."""
    if role not in ROLES:
        raise ServiceError(N_("role must be one of %(choices)s"), values={"choices": ", ".join(ROLES)})
    await roles.check_role_change(session, by, account.actor, role)
    if account.role == role:
        return False
    before, account.role = account.role, role
    _changed(session, account.actor.username)
    await _log(session, by, "account.role", "account", _who(account), "", {"before": before, "after": role})
    return True


async def disable(session: AsyncSession, account: Account, *, by: By, reason: str = "") -> None:
    """No more logins: the member's browser sessions end now, their app tokens stop working."""
    await roles.check_action(session, by, account.actor, removes_admin=True)
    if account.disabled_at is not None:
        raise ServiceError(N_("this account is disabled already"), Kind.CONFLICT)
    account.disabled_at = utcnow()
    await web_sessions.end_all(session, account.id)
    await stream_events.access_ended(session, actor_ids=[account.actor_id])
    _changed(session, account.actor.username)
    await _log(session, by, "account.disable", "account", _who(account), reason)


async def enable(session: AsyncSession, account: Account, *, by: By, reason: str = "") -> None:
    """Let a disabled member log in again; a moderator's suspension of the account is lifted with it."""
    await roles.check_action(session, by, account.actor, removes_admin=False)
    if account.disabled_at is None:
        raise ServiceError(N_("this account is not disabled"), Kind.CONFLICT)
    account.disabled_at = None
    _changed(session, account.actor.username)
    sanction = await session.get(AccountModeration, account.actor_id)
    lifted = sanction is not None and sanction.suspended_at is not None
    if lifted:
        sanction.suspended_at = None
    await _log(session, by, "account.enable", "account", _who(account), reason, {"suspension_lifted": lifted})


async def find_member(session: AsyncSession, actor_id: int) -> Account | None:
    """The local account whose actor id is `actor_id` (the id the pages and the client API show)."""
    return (await session.execute(select(Account).where(Account.actor_id == actor_id))).scalar_one_or_none()


async def list_members(session: AsyncSession, *, query: str = "", role: str | None = None,
                       max_id: int | None = None, limit: int = 50) -> list[Account]:
    """Approved members, newest first, optionally whose username starts with `query` or of one role."""
    rows = select(Account).join(Actor, Account.actor_id == Actor.id).where(Account.approved_at.is_not(None))
    if query:
        rows = rows.where(func.lower(Actor.username).startswith(query.strip().lstrip("@").lower(), autoescape=True))
    if role:
        rows = rows.where(Account.role == role)
    if max_id is not None:
        rows = rows.where(Account.id < max_id)
    return list((await session.execute(rows.order_by(Account.id.desc()).limit(limit))).scalars())
