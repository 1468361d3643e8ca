"""Members here who follow a group hosted here see its new threads in their home timelines as boosts by the
group, as members elsewhere do once the group's Announce reaches them (services/federation/inbox/groups.py).
The boost is that Announce, stored under its id: nothing more is sent. Replies are not boosted (a busy thread
would flood home timelines), nor posts that may not be boosted (members-only threads stay in the group)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.addressing import PUBLIC
from server.db.ids import snowflake
from server.db.models import Group, Post
from server.db.types import utcnow
from server.services.posts import fanout


async def boost_thread(session: AsyncSession, group: Group, post_id: int, announce_uri: str) -> None:
    """The group's boost of the thread `post_id` (its Announce `announce_uri`), in its members' home timelines."""
    thread = await session.get(Post, post_id)
    if thread is None or thread.visibility not in fanout.BOOSTABLE:
        return
    if await session.scalar(select(Post.id).where(Post.uri == announce_uri)) is not None:
        return  # a repeated delivery of the thread
    # Dated as the thread: the group announces it as it arrives, and a thread fetched late stays in its place.
    now = min(thread.published or utcnow(), utcnow())
    boost = Post(id=snowflake(now), uri=announce_uri, author_id=group.actor_id, author=group.actor, local=True,
                 visibility="public", object_type=thread.object_type, boost_of_id=thread.id, to=[PUBLIC],
                 cc=[group.actor.followers_url], published=now)
    session.add(boost)
    await session.flush()
    await session.execute(update(Post).where(Post.id == thread.id).values(boosts_count=Post.boosts_count + 1))
    await fanout.fan_out(session, boost, boosted=thread)
