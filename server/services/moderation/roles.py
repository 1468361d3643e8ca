"""moderation.roles enforced: every service that acts on an account or decides a matter asks here
before it writes, so no surface (client API, web pages, command line) can skip the rule.

A refusal is NotAllowed: the client API answers 403 with its reason (server.errors), the web pages
show it, the command line prints it as one line."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.roles import SYSTEM, Acting, action_refusal, decision_refusal, role_refusal
from server.db.models import Account, Actor

# Who acts: a member's account or actor, or None / a name such as "cli:root" for the command line.
Who = Account | Actor | str | None


class NotAllowed(PermissionError):
    """Refused by rank, self-decision or the last-admin rule; `message` says why."""

    status = 403

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise NotAllowed(reason)


async def acting(session: AsyncSession, who: Who) -> Acting:
    if isinstance(who, Account):
        return Acting(who.actor_id, who.role)
    if isinstance(who, Actor):
        return Acting(who.id, await _role(session, who.id) or "member")
    return SYSTEM


async def _role(session: AsyncSession, actor_id: int) -> str | None:
    return await session.scalar(select(Account.role).where(Account.actor_id == actor_id))


async def _other_admins(session: AsyncSession, actor_id: int) -> int:
    """Admins able to log in, but the one of `actor_id`."""
    return await session.scalar(select(func.count()).select_from(Account).where(
        Account.role == "admin", Account.disabled_at.is_(None), Account.actor_id != actor_id)) or 0


async def check_action(session: AsyncSession, who: Who, target: Actor, *, removes_admin: bool) -> None:
    """Refuse `who` acting on `target` (see moderation.roles.action_refusal)."""
    role = await _role(session, target.id) if target.local else None
    others = await _other_admins(session, target.id) if role == "admin" and removes_admin else 0
    _refuse(action_refusal(await acting(session, who), target.id, role, removes_admin=removes_admin,
                           other_admins=others))


async def check_role_change(session: AsyncSession, who: Who, target: Actor, role: str) -> None:
    """Refuse `who` giving `target` the role `role`: the rank rule, the last admin, no role above one's own."""
    by = await acting(session, who)
    _refuse(role_refusal(by, role))
    await check_action(session, who, target, removes_admin=role != "admin")


async def check_decision(session: AsyncSession, who: Who, parties: Collection[int | None], what: str) -> None:
    """Refuse `who` deciding `what` when they are one of its `parties` (actor ids)."""
    _refuse(decision_refusal(await acting(session, who), parties, what))
