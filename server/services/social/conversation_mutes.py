"""Conversation mutes (Mastodon's POST /api/v1/statuses/:id/mute): a member stops being notified of anything in
a thread (mentions, favourites, boosts, replies, polls, edits), and its statuses show `muted` to them. The
conversation is named by its thread's first post (server.services.reading.threads). Never federated."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, ConversationMute, Post
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.services.reading.threads import thread_root, thread_roots


async def mute(session: AsyncSession, actor: Actor, post: Post) -> None:
    await insert_ignore(session, ConversationMute, [{"actor_id": actor.id, "root_id": await thread_root(session, post),
                                                     "created_at": utcnow()}])


async def unmute(session: AsyncSession, actor: Actor, post: Post) -> None:
    await session.execute(delete(ConversationMute).where(ConversationMute.actor_id == actor.id,
                                                         ConversationMute.root_id == await thread_root(session, post)))


async def muted_roots(session: AsyncSession, actor_id: int) -> set[int]:
    return set((await session.execute(select(ConversationMute.root_id)
                                       .where(ConversationMute.actor_id == actor_id))).scalars())


async def muted_posts(session: AsyncSession, roots: set[int], post_ids: Iterable[int]) -> frozenset[int]:
    """Those of the posts (not boosts) whose thread starts at one of the muted conversations' `roots`."""
    ids = list(post_ids)
    if not roots or not ids:
        return frozenset()
    parents = dict((await session.execute(select(Post.id, Post.in_reply_to_id)
                                          .where(Post.id.in_(ids), Post.boost_of_id.is_(None)))).all())
    return frozenset(p for p, root in (await thread_roots(session, parents)).items() if root in roots)


def mutes_among(recipient_ids: list[int]) -> Select:
    """(member, root) of the recipients' conversation mutes."""
    return (select(ConversationMute.actor_id, ConversationMute.root_id)
            .where(ConversationMute.actor_id.in_(recipient_ids)))


async def muting_the_thread(session: AsyncSession, mutes: set[tuple[int, int]], post_id: int | None) -> set[int]:
    """The members among `mutes` (member, root) who muted the conversation of post `post_id`."""
    if not mutes or post_id is None:
        return set()
    parent = await session.scalar(select(Post.in_reply_to_id).where(Post.id == post_id))
    root = (await thread_roots(session, {post_id: parent}))[post_id]
    return {actor for actor, muted_root in mutes if muted_root == root}


async def not_muting(session: AsyncSession, recipient_ids: Iterable[int], post_id: int) -> list[int]:
    """The recipients who have not muted the conversation of post `post_id`."""
    recipients = list(recipient_ids)
    muting = await muting_the_thread(session, set((await session.execute(mutes_among(recipients))).all()), post_id)
    return [r for r in recipients if r not in muting]
