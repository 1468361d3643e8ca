"""How one account stands with another (Mastodon's Relationship entity): follows both ways, pending
requests, blocks and mutes, the member's endorsement and private note; and the accounts a member follows
among another's followers (familiar followers)."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Block, Follow
from server.services.social.account_publicity import is_public
from server.services.social.blocks_and_mutes import relationship_flags
from server.services.social.interactions import find_follow
from server.services.social.notes_and_endorsements import endorsed, note_on


async def relationship(session: AsyncSession, me: Actor, other: Actor) -> dict:
    def one(query):
        return session.scalar(query.limit(1))
    mine = await find_follow(session, me.id, other.id)
    theirs = await find_follow(session, other.id, me.id)
    blocking = await one(select(Block.id).where(Block.actor_id == me.id, Block.target_id == other.id))
    blocked_by = await one(select(Block.id).where(Block.actor_id == other.id, Block.target_id == me.id))
    return {"id": str(other.id), "following": bool(mine and mine.state == "accepted"),
            "showing_reblogs": bool(mine and mine.show_boosts), "notifying": bool(mine and mine.notify),
            "languages": None, "followed_by": bool(theirs and theirs.state == "accepted"),
            "blocking": bool(blocking), "blocked_by": bool(blocked_by),
            "requested": bool(mine and mine.state == "pending"),
            "requested_by": bool(theirs and theirs.state == "pending"),
            **await relationship_flags(session, me, other), "endorsed": await endorsed(session, me, other),
            "note": await note_on(session, me, other)}


async def familiar_followers(session: AsyncSession, me: Actor, others: list[Actor]) -> list[tuple[Actor, list[Actor]]]:
    """For each of `others`, the accounts `me` follows that follow it (none for an account either side blocks)."""
    ids = [o.id for o in others]
    if not ids:
        return []
    mine = select(Follow.followed_id).where(Follow.follower_id == me.id, Follow.state == "accepted")
    rows = await session.execute(select(Follow.followed_id, Actor).join(Actor, Actor.id == Follow.follower_id).where(
        Follow.followed_id.in_(ids), Follow.state == "accepted", Follow.follower_id.in_(mine), is_public())
        .order_by(Follow.id.desc()))
    found: dict[int, list[Actor]] = {}
    for followed_id, follower in rows.all():
        found.setdefault(followed_id, []).append(follower)
    blocked = await _blocked_either_way(session, me, ids)
    return [(o, [] if o.id in blocked else found.get(o.id, [])) for o in others]


async def _blocked_either_way(session: AsyncSession, me: Actor, ids: list[int]) -> set[int]:
    """Those of the accounts `ids` that `me` blocks or that block `me`."""
    rows = await session.execute(select(Block.actor_id, Block.target_id).where(or_(
        and_(Block.actor_id == me.id, Block.target_id.in_(ids)),
        and_(Block.target_id == me.id, Block.actor_id.in_(ids)))))
    return {target if blocker == me.id else blocker for blocker, target in rows.all()}
