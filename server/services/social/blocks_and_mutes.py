"""What a member does for themselves: block and mute accounts, block whole domains.

A block ends follows both ways and, for a remote account, sends a Block (and later its Undo); a
mute is never federated; a domain block hides the domain from the member and removes their
followers there. The caller commits and wakes the delivery queue.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from moderation.domains import DomainPolicy, InvalidDomain, PolicySet, normalize_domain
from moderation.errors import ServiceError
from server.db.ids import snowflake
from server.db.models import Actor, Block, Follow, Mute, UserDomainBlock
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity

MAX_DOMAIN_BLOCKS = 10_000
MAX_MUTE_SECONDS = 100 * 365 * 86400  # a longer mute is a mute until unmuted; a datetime goes no further


def _not_self(me: Actor, target: Actor) -> None:
    if me.id == target.id:
        raise ServiceError(N_("you cannot do that to yourself"))


async def block(runtime: Runtime, session: AsyncSession, me: Actor, target: Actor) -> Block:
    _not_self(me, target)
    existing = (await session.execute(select(Block).where(Block.actor_id == me.id, Block.target_id == target.id)))\
        .scalar_one_or_none()
    if existing is not None:
        return existing
    row = Block(actor_id=me.id, target_id=target.id, uri=runtime.urls.activity(me.uri, "blocks", snowflake()))
    session.add(row)
    both_ways = or_(and_(Follow.follower_id == me.id, Follow.followed_id == target.id),
                    and_(Follow.follower_id == target.id, Follow.followed_id == me.id))
    await session.execute(delete(Follow).where(both_ways))
    await session.flush()
    if not target.local and target.inbox:
        await enqueue_activity(session, activities.block(row.uri, me.uri, target.uri), me, inboxes=[target.inbox])
    return row


async def unblock(runtime: Runtime, session: AsyncSession, me: Actor, target: Actor) -> None:
    row = (await session.execute(select(Block).where(Block.actor_id == me.id, Block.target_id == target.id)))\
        .scalar_one_or_none()
    if row is None:
        return
    if not target.local and target.inbox:
        undo = activities.undo(f"{row.uri}/undo", me.uri, activities.block(row.uri, me.uri, target.uri))
        await enqueue_activity(session, undo, me, inboxes=[target.inbox])
    await session.delete(row)
    await session.flush()


async def mute(session: AsyncSession, me: Actor, target: Actor, *, notifications: bool = True,
               duration: int = 0) -> Mute:
    """Mute `target` (for `duration` seconds, 0: until unmuted); a repeated mute updates the first."""
    _not_self(me, target)
    if duration > MAX_MUTE_SECONDS:
        raise ServiceError(f"duration is at most {MAX_MUTE_SECONDS} seconds (0: until unmuted)")
    expires = utcnow() + timedelta(seconds=duration) if duration > 0 else None
    row = (await session.execute(select(Mute).where(Mute.actor_id == me.id, Mute.target_id == target.id)))\
        .scalar_one_or_none()
    if row is None:
        row = Mute(actor_id=me.id, target_id=target.id)
        session.add(row)
    row.notifications, row.expires_at = notifications, expires
    await session.flush()
    return row


async def unmute(session: AsyncSession, me: Actor, target: Actor) -> None:
    await session.execute(delete(Mute).where(Mute.actor_id == me.id, Mute.target_id == target.id))


def _domain(value: str, local_domain: str) -> str:
    try:
        domain = normalize_domain(value or "")
    except InvalidDomain as exc:
        raise (exc.why if exc.reason != "empty" else ServiceError(N_("a domain is required"))) from None
    if domain == local_domain:
        raise ServiceError(N_("you cannot block your own instance"))
    return domain


async def block_domain(runtime: Runtime, session: AsyncSession, me: Actor, value: str) -> str:
    """Hide `value` (and its subdomains) from `me`; their followers there are removed."""
    domain = _domain(value, runtime.settings.domain)
    count = len((await session.execute(select(UserDomainBlock.id).where(UserDomainBlock.actor_id == me.id))).all())
    if count >= MAX_DOMAIN_BLOCKS:
        raise ServiceError(N_("at most %(limit)s domain blocks"), values={"limit": MAX_DOMAIN_BLOCKS})
    await insert_ignore(session, UserDomainBlock, [{"actor_id": me.id, "domain": domain, "created_at": utcnow()}])
    covered = PolicySet([DomainPolicy(domain)])
    followers = await session.execute(select(Follow.id, Actor.domain).join(Actor, Actor.id == Follow.follower_id)
                                      .where(Follow.followed_id == me.id, Actor.local.is_(False)))
    gone = [fid for fid, host in followers.all() if _covers(covered, host)]
    if gone:
        await session.execute(delete(Follow).where(Follow.id.in_(gone)))
    return domain


def _covers(covered: PolicySet, host: str) -> bool:
    try:
        return covered.effective(host).suspended
    except InvalidDomain:
        return False


async def unblock_domain(runtime: Runtime, session: AsyncSession, me: Actor, value: str) -> None:
    domain = _domain(value, runtime.settings.domain)
    await session.execute(delete(UserDomainBlock).where(UserDomainBlock.actor_id == me.id,
                                                        UserDomainBlock.domain == domain))


async def blocked_domains(session: AsyncSession, me: Actor) -> list[UserDomainBlock]:
    query = select(UserDomainBlock).where(UserDomainBlock.actor_id == me.id).order_by(UserDomainBlock.id.desc())
    return list((await session.execute(query)).scalars())


async def relationship_flags(session: AsyncSession, me: Actor, other: Actor) -> dict[str, bool]:
    """The `muting`, `muting_notifications` and `domain_blocking` fields of a Relationship."""
    now = utcnow()
    row = (await session.execute(select(Mute).where(Mute.actor_id == me.id, Mute.target_id == other.id,
                                                    or_(Mute.expires_at.is_(None), Mute.expires_at > now))))\
        .scalar_one_or_none()
    domain_blocking = False
    if not other.local:
        domains = [b.domain for b in await blocked_domains(session, me)]
        domain_blocking = bool(domains) and _covers(PolicySet([DomainPolicy(d) for d in domains]), other.domain)
    return {"muting": row is not None, "muting_notifications": bool(row and row.notifications),
            "domain_blocking": domain_blocking}
