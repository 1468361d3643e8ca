"""`Idempotency-Key` on new posts: the same key from the same member within an hour gives back the first
post. Kept in a table, so that it holds across restarts and between processes."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import IdempotencyKey, Post
from server.db.types import utcnow

WINDOW = timedelta(hours=1)
MAX_KEY = 1024


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


async def find(session: AsyncSession, actor_id: int, key: str) -> Post | None:
    """The post made with this key in the last hour, if any (and not deleted since)."""
    row = await session.get(IdempotencyKey, (actor_id, key_hash(key)))
    if row is None or row.created_at <= utcnow() - WINDOW:
        return None
    return await session.get(Post, row.post_id)


async def remember(session: AsyncSession, actor_id: int, key: str, post_id: int) -> None:
    """Record the key for the new post; a concurrent request with the same key makes the commit fail."""
    digest = key_hash(key)
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.actor_id == actor_id,
                                                       IdempotencyKey.key_hash == digest,
                                                       IdempotencyKey.created_at <= utcnow() - WINDOW))
    session.add(IdempotencyKey(actor_id=actor_id, key_hash=digest, post_id=post_id, created_at=utcnow()))
    await session.flush()


async def forget_expired(session: AsyncSession) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= utcnow() - WINDOW))
    return result.rowcount or 0
