"""How one account stands with another (Mastodon's Relationship entity): follows both ways, pending
requests, blocks and mutes."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Block
from server.services.social.blocks_and_mutes import relationship_flags
from server.services.social.interactions import find_follow


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
            **await relationship_flags(session, me, other), "endorsed": False, "note": ""}
