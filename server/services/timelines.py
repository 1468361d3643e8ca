"""Side effects of new posts and interactions: home-timeline fan-out (on write) and notifications."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.ids import snowflake
from server.db.models import Actor, Block, Follow, HomeTimelineEntry, Notification, Post
from server.db.upsert import insert_ignore
from server.services import stream_events

# Visibilities whose posts go to every follower's home timeline; `direct` goes to the addressed only.
FOLLOWER_VISIBILITIES = ("public", "unlisted", "private", "local")
BOOSTABLE = ("public", "unlisted")


def _local_followers(author_id: int, boosts: bool):
    blocked = exists().where(Block.actor_id == Follow.follower_id, Block.target_id == author_id)
    query = (select(Follow.follower_id).join(Actor, Actor.id == Follow.follower_id)
             .where(Follow.followed_id == author_id, Follow.state == "accepted", Actor.local.is_(True), ~blocked))
    return query.where(Follow.show_boosts.is_(True)) if boosts else query


async def home_recipients(session: AsyncSession, post: Post, mentioned_ids: Iterable[int] = (),
                          boosted: Post | None = None) -> set[int]:
    """The local actors whose home timeline gets `post` (a boost when `boosted` is given)."""
    if boosted is not None:
        if boosted.visibility not in BOOSTABLE:
            return set()
        owners = set((await session.execute(_local_followers(post.author_id, boosts=True))).scalars())
        return owners - {boosted.author_id} if boosted.author.local else owners
    owners: set[int] = set()
    if post.visibility in FOLLOWER_VISIBILITIES:
        owners.update((await session.execute(_local_followers(post.author_id, boosts=False))).scalars())
    elif post.visibility == "direct":
        owners.update(mentioned_ids)
    if post.local:
        owners.add(post.author_id)
    return owners


async def fan_out(session: AsyncSession, post: Post, mentioned_ids: Iterable[int] = (),
                  boosted: Post | None = None) -> int:
    """Put `post` into the home timelines it belongs in; returns how many were written."""
    owners = await home_recipients(session, post, mentioned_ids, boosted)
    written = await insert_ignore(session, HomeTimelineEntry, [{"owner_id": o, "post_id": post.id} for o in owners])
    await stream_events.post_created(session, post)
    return written


async def notify(session: AsyncSession, kind: str, recipient_ids: Iterable[int], from_actor_id: int,
                 post_id: int | None = None) -> int:
    """Notify each local recipient (never the actor itself) of `kind`: mention, follow, follow_request,
    favourite, reblog, update. The caller makes sure an event is notified once."""
    wanted = [r for r in dict.fromkeys(recipient_ids) if r != from_actor_id]
    if not wanted:
        return 0
    blocking = set((await session.execute(select(Block.actor_id).where(
        Block.actor_id.in_(wanted), Block.target_id == from_actor_id))).scalars())
    rows = [Notification(id=snowflake(), recipient_id=r, type=kind, from_actor_id=from_actor_id, post_id=post_id)
            for r in wanted if r not in blocking]
    session.add_all(rows)
    await stream_events.notified(session, [r.id for r in rows])
    return len(rows)
