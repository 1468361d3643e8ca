"""Threads: the first post of a post's thread (as far up as stored), which names its conversation for direct
conversations (server.services.reading.conversations) and conversation mutes (server.services.social.
conversation_mutes) alike."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Post

MAX_THREAD_DEPTH = 100


async def thread_roots(session: AsyncSession, parents: dict[int, int | None]) -> dict[int, int]:
    """The thread's first post of each post given as {post id: the id it replies to}, walking up one level
    for all of them per query (at most MAX_THREAD_DEPTH levels)."""
    roots = {post_id: post_id for post_id in parents}
    climbing = {post_id: parent for post_id, parent in parents.items() if parent is not None}
    for _ in range(MAX_THREAD_DEPTH):
        if not climbing:
            break
        found = dict((await session.execute(select(Post.id, Post.in_reply_to_id)
                                            .where(Post.id.in_(set(climbing.values()))))).all())
        for post_id, parent in list(climbing.items()):
            if parent not in found:
                del climbing[post_id]
                continue
            roots[post_id] = parent
            climbing[post_id] = found[parent]
            if found[parent] is None:
                del climbing[post_id]
    return roots


async def thread_root(session: AsyncSession, post: Post) -> int:
    """The id of the first post of `post`'s thread (as far up as stored)."""
    return (await thread_roots(session, {post.id: post.in_reply_to_id}))[post.id]
