"""Side effects of new posts and interactions: home-timeline fan-out (on write) and notifications.

Fan-out runs for every post that arrives, so its statements are built once, with bound parameters,
and the database selects and writes the followers' entries in a single INSERT ... SELECT.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.db.ids import snowflake
from server.db.models import Actor, Block, Follow, HomeTimelineEntry, Notification, Post
from server.services import stream_events

# Visibilities whose posts go to every follower's home timeline; `direct` goes to the addressed only.
FOLLOWER_VISIBILITIES = ("public", "unlisted", "private", "local")
BOOSTABLE = ("public", "unlisted")


def _followers_entries(boosts: bool):
    """(follower, post) rows for the author's local, accepted, not-blocking followers; boosts go only
    to those who want boosts and never to the boosted post's author."""
    author = bindparam("author_id")
    blocked = exists().where(Block.actor_id == Follow.follower_id, Block.target_id == author)
    query = (select(Follow.follower_id, bindparam("post_id"))
             .join(Actor, Actor.id == Follow.follower_id)
             .where(Follow.followed_id == author, Follow.state == "accepted", Actor.local.is_(True), ~blocked))
    if boosts:
        query = query.where(Follow.show_boosts.is_(True), Follow.follower_id != bindparam("boosted_author_id"))
    return query


def _statements(dialect) -> dict:
    entry = dialect.insert(HomeTimelineEntry)
    columns = ["owner_id", "post_id"]
    return {
        "post": entry.from_select(columns, _followers_entries(boosts=False)).on_conflict_do_nothing(),
        "boost": entry.from_select(columns, _followers_entries(boosts=True)).on_conflict_do_nothing(),
        "one": entry.on_conflict_do_nothing(),
    }


_STATEMENTS = {"postgresql": _statements(postgresql), "sqlite": _statements(sqlite)}


async def fan_out(session: AsyncSession, post: Post, mentioned_ids: Iterable[int] = (),
                  boosted: Post | None = None) -> None:
    """Put `post` into the home timelines it belongs in: its author's followers' (boosts only of
    public/unlisted posts), the mentioned members' for direct posts, and a local author's own."""
    statements = _STATEMENTS[session.bind.dialect.name]
    core = await session.connection()  # Core execution: these are plain INSERTs, not ORM bulk writes
    params = {"author_id": post.author_id, "post_id": post.id}
    if boosted is not None:
        if boosted.visibility in BOOSTABLE:
            await core.execute(statements["boost"], {**params, "boosted_author_id": boosted.author_id})
    elif post.visibility in FOLLOWER_VISIBILITIES:
        await core.execute(statements["post"], params)
    others = set(mentioned_ids) if boosted is None and post.visibility == "direct" else set()
    if post.local:
        others.add(post.author_id)
    if others:
        await core.execute(statements["one"], [{"owner_id": o, "post_id": post.id} for o in others])
    await stream_events.post_created(session, post)


def _fan_out_remote(dialect):
    blocked = exists().where(Block.actor_id == Follow.follower_id, Block.target_id == Post.author_id)
    rows = (select(Follow.follower_id, Post.id)
            .join(Follow, Follow.followed_id == Post.author_id).join(Actor, Actor.id == Follow.follower_id)
            .where(Post.id.in_(bindparam("ids", expanding=True)), Post.visibility.in_(FOLLOWER_VISIBILITIES),
                   Post.boost_of_id.is_(None), Follow.state == "accepted", Actor.local.is_(True), ~blocked))
    return dialect.insert(HomeTimelineEntry).from_select(["owner_id", "post_id"], rows).on_conflict_do_nothing()


_FAN_OUT_REMOTE = {"postgresql": _fan_out_remote(postgresql), "sqlite": _fan_out_remote(sqlite)}


async def fan_out_remote(session: AsyncSession, post_ids: list[int]) -> None:
    """fan_out for many new remote posts (not boosts, not direct) in one statement."""
    if post_ids:
        core = await session.connection()
        await core.execute(_FAN_OUT_REMOTE[session.bind.dialect.name], {"ids": post_ids})
        await stream_events.emit_many(session, "update", [{"post_id": post_id} for post_id in post_ids])


async def notify(session: AsyncSession, kind: str, recipient_ids: Iterable[int], from_actor_id: int,
                 post_id: int | None = None) -> int:
    """Notify each local recipient (never the actor itself, nor one who blocks it) of `kind`: mention,
    follow, follow_request, favourite, reblog, update. The caller makes sure an event is notified once."""
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


async def notify_subscribers(session: AsyncSession, post_ids: list[int], skip: Iterable[int] = ()) -> int:
    """`status` notifications of new posts to the local followers who follow their author with notify,
    as Mastodon sends them: not for boosts, direct posts or replies to others; not to those in `skip`
    (mentioned, so notified already). One query for many posts: such followers are rare."""
    if not post_ids:
        return 0
    parent = aliased(Post)
    query = (select(Follow.follower_id, Post.id, Post.author_id)
             .join(Follow, Follow.followed_id == Post.author_id).join(Actor, Actor.id == Follow.follower_id)
             .outerjoin(parent, parent.id == Post.in_reply_to_id)
             .where(Post.id.in_(post_ids), Post.visibility != "direct", Post.boost_of_id.is_(None),
                    Follow.state == "accepted", Follow.notify.is_(True), Actor.local.is_(True),
                    or_(Post.in_reply_to_uri.is_(None), parent.author_id == Post.author_id)))
    skipped, count = set(skip), 0
    for follower_id, post_id, author_id in (await session.execute(query)).all():
        if follower_id not in skipped:
            count += await notify(session, "status", [follower_id], author_id, post_id)
    return count


async def notify_boosters(session: AsyncSession, post: Post) -> int:
    """`update` notifications to local members who boosted a post that was just edited."""
    boosters = select(Post.author_id).join(Actor, Actor.id == Post.author_id).where(
        Post.boost_of_id == post.id, Actor.local.is_(True))
    return await notify(session, "update", list((await session.execute(boosters)).scalars()), post.author_id, post.id)
