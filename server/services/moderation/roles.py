"""moderation.roles enforced: every service that acts on an account or decides a matter asks here
before it writes, so no surface (client API, web pages, command line) can skip the rule.

A refusal is a ServiceError of kind FORBIDDEN: the client API answers 403 with its reason (server.errors), the
web pages show it, the command line prints it as one line.

The last-admin rule counts the other admins under a lock held until commit, so two admins removing
each other at once cannot both count the other."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from moderation.roles import SYSTEM, Acting, action_refusal, decision_refusal, role_refusal
from server.db.models import Account, Actor

# Who acts: a member's account or actor, or None / a name such as "cli:root" for the command line.
Who = Account | Actor | str | None


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise ServiceError(reason, Kind.FORBIDDEN)


async def acting(session: AsyncSession, who: Who) -> Acting:
    if isinstance(who, Account):
        return Acting(who.actor_id, who.role)
    if isinstance(who, Actor):
        return Acting(who.id, await _role(session, who.id) or "member")
    return SYSTEM


async def _role(session: AsyncSession, actor_id: int) -> str | None:
    return await session.scalar(select(Account.role).where(Account.actor_id == actor_id))


async def _lock_admins(session: AsyncSession) -> None:
    """Hold the admins' rows until commit: PostgreSQL locks them (in id order, so two of these cannot
    deadlock); SQLite takes its one write lock now, which a plain read would not."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(Account.id).where(Account.role == "admin").order_by(Account.id).with_for_update())
    else:
        await session.execute(update(Account).where(Account.role == "admin").values(role=Account.role)
                              .execution_options(synchronize_session=False))


async def _other_admins(session: AsyncSession, actor_id: int) -> int:
    """Admins able to log in, but the one of `actor_id`, counted under the lock of `_lock_admins`."""
    await _lock_admins(session)
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


async def check_decision(session: AsyncSession, who: Who, parties: Collection[int | None], what: str, *,
                         about: int | None = None) -> None:
    """Refuse `who` deciding `what` when they are one of its `parties` (actor ids), or when the decision is
    about the local account of actor id `about` (an appellant, a verification's member) and `who` does not
    outrank it."""
    role = await _role(session, about) if about is not None else None
    _refuse(decision_refusal(await acting(session, who), parties, what, about_role=role))
