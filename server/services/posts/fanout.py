"""Side effects of new posts and interactions: home-timeline fan-out (on write) and notifications.

Fan-out runs for every post that arrives, so its statements are built once, with bound parameters,
and the database selects and writes the followers' entries in a single INSERT ... SELECT; the
followers of the post's hashtags get theirs in one more (public original posts only).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import BigInteger, Connection, bindparam, cast, exists, null, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from moderation.notification_policy import DROP, FILTER
from server.db import burst
from server.db.ids import snowflake
from server.db.models import (
    AccountModeration,
    Actor,
    Block,
    Follow,
    HomeTimelineEntry,
    Notification,
    Post,
    PostTag,
    TagFollow,
)
from server.db.types import utcnow
from server.services.moderation.policies import policies_for
from server.services.push.queueing import queue_pushes
from server.services.reading import notification_policy, stream_events
from server.services.reading.notification_groups import group_key_for
from server.services.social.conversation_mutes import mutes_among, muting_the_thread

# Visibilities whose posts go to every follower's home timeline; `direct` goes to the addressed only.
FOLLOWER_VISIBILITIES = ("public", "unlisted", "private", "local")
BOOSTABLE = ("public", "unlisted")
TAGGED_VISIBILITY = "public"  # what reaches a hashtag's followers, as on Mastodon


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
    public/unlisted posts), its hashtags' followers' (public posts), the mentioned members' for direct
    posts, and a local author's own."""
    statements = _STATEMENTS[session.bind.dialect.name]
    core = await session.connection()  # Core execution: these are plain INSERTs, not ORM bulk writes
    params = {"author_id": post.author_id, "post_id": post.id}
    if boosted is not None:
        if boosted.visibility in BOOSTABLE:
            await core.execute(statements["boost"], {**params, "boosted_author_id": boosted.author_id})
    elif post.visibility in FOLLOWER_VISIBILITIES:
        await core.execute(statements["post"], params)
        if post.visibility == TAGGED_VISIBILITY:
            # The statement reads the post and its post_tags rows: the caller's pending ones (a new local
            # post's tags, a held post's new visibility) are written first.
            await session.flush()
            await fan_out_tagged(session, [(post.id, None if post.local else post.author.domain)])
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


def _fan_out_tagged(dialect):
    """(tag follower, post) for the posts' hashtags, unless either blocks the other or the author is
    limited or suspended (a limited account reaches those who follow it, not a hashtag's followers)."""
    blocked = exists().where(or_((Block.actor_id == TagFollow.actor_id) & (Block.target_id == Post.author_id),
                                 (Block.actor_id == Post.author_id) & (Block.target_id == TagFollow.actor_id)))
    sanction = AccountModeration
    sanctioned = exists().where(sanction.actor_id == Post.author_id,
                                or_(sanction.limited_at.is_not(None), sanction.suspended_at.is_not(None)))
    rows = (select(TagFollow.actor_id, Post.id).distinct()
            .join(PostTag, PostTag.post_id == Post.id).join(TagFollow, TagFollow.tag == PostTag.tag)
            .where(Post.id.in_(bindparam("ids", expanding=True)), Post.visibility == TAGGED_VISIBILITY,
                   Post.boost_of_id.is_(None), ~blocked, ~sanctioned))
    return dialect.insert(HomeTimelineEntry).from_select(["owner_id", "post_id"], rows).on_conflict_do_nothing()


_FAN_OUT_TAGGED = {"postgresql": _fan_out_tagged(postgresql), "sqlite": _fan_out_tagged(sqlite)}


async def fan_out_tagged(session: AsyncSession, posts: list[tuple[int, str | None]]) -> None:
    """Put new public original posts, given as (id, author's domain or None when local), into the home
    timelines of their hashtags' followers, in one statement; their post_tags rows must be written."""
    ids = await tagged_reaching(session, posts)
    if ids:
        core = await session.connection()
        await core.execute(_FAN_OUT_TAGGED[session.bind.dialect.name], {"ids": ids})


async def tagged_reaching(session: AsyncSession, posts: list[tuple[int, str | None]]) -> list[int]:
    """Those of public original posts, given as (id, author's domain or None when local), that go to their
    hashtags' followers: not those of limited domains, as limited accounts' do not (see _fan_out_tagged)."""
    if not posts:
        return []
    policies = await policies_for(session)
    return [post_id for post_id, domain in posts
            if domain is None or policies.effective(domain).show_in_public_timelines]


def write_remote_entries(connection: Connection, post_ids: list[int], tagged_ids: list[int]) -> None:
    """fan_out for many new remote posts (not boosts, not direct) in one statement, and one more for
    `tagged_ids` (of tagged_reaching), on a sync Connection (server.db.burst). Their stream events are the caller's."""
    dialect = connection.dialect.name
    connection.execute(_FAN_OUT_REMOTE[dialect], {"ids": post_ids})
    if tagged_ids:
        connection.execute(_FAN_OUT_TAGGED[dialect], {"ids": tagged_ids})


async def notify(session: AsyncSession, kind: str, recipient_ids: Iterable[int], from_actor_id: int,
                 post_id: int | None = None) -> int:
    """Notify each local recipient (never the actor itself, nor one who blocks it, nor one who muted the post's
    conversation) of `kind`: mention, follow, follow_request, favourite, reblog, update; as each recipient's
    notification policy says (accepted, filtered or dropped), grouped as Mastodon groups. The caller makes sure an
    event is notified once."""
    wanted = [r for r in dict.fromkeys(recipient_ids) if r != from_actor_id]
    if not wanted:
        return 0
    refusals = select(Block.actor_id, cast(null(), BigInteger)).where(Block.actor_id.in_(wanted),
                                                                     Block.target_id == from_actor_id)
    if post_id is not None:  # in the same round trip: the recipients' conversation mutes (rare)
        refusals = union_all(refusals, mutes_among(wanted))
    found = (await session.execute(refusals)).all()
    refused = {actor for actor, root in found if root is None} | await muting_the_thread(
        session, {(actor, root) for actor, root in found if root is not None}, post_id)
    recipients = [r for r in wanted if r not in refused]
    decisions = await notification_policy.decide(session, kind, recipients, from_actor_id, post_id)
    rows = [await _notification(session, kind, r, from_actor_id, post_id, filtered=decisions[r] == FILTER)
            for r in recipients if decisions[r] != DROP]
    await record_notifications(session, rows)
    return len(rows)


async def record_notifications(session: AsyncSession, rows: list[Notification]) -> None:
    """Store new notifications: streamed to the recipients' open apps, pushed to their subscribed devices; those
    the recipient's notification policy filters wait, neither streamed nor pushed."""
    session.add_all(rows)
    shown = [r for r in rows if not r.filtered]
    await stream_events.notified(session, [r.id for r in shown])
    await queue_pushes(session, shown)


async def _notification(session: AsyncSession, kind: str, recipient_id: int, from_actor_id: int, post_id: int | None,
                        *, filtered: bool) -> Notification:
    now = utcnow()
    key = None if filtered else await group_key_for(session, kind, recipient_id, post_id, now)
    return Notification(id=snowflake(now), recipient_id=recipient_id, type=kind, from_actor_id=from_actor_id,
                        post_id=post_id, filtered=filtered, group_key=key, created_at=now)


async def notify_subscribers(session: AsyncSession, post_ids: list[int], skip: Iterable[int] = ()) -> int:
    """`status` notifications of new posts to the local followers who follow their author with notify,
    as Mastodon sends them: not for boosts, direct posts or replies to others; not to those in `skip`
    (mentioned, so notified already). One query for many posts: such followers are rare."""
    if not post_ids:
        return 0
    return await notify_subscribed(session, await burst.run(session, lambda c: subscribed(c, post_ids)), skip)


_PARENT = aliased(Post)
_SUBSCRIBED = (select(Follow.follower_id, Post.id, Post.author_id)
               .join(Follow, Follow.followed_id == Post.author_id).join(Actor, Actor.id == Follow.follower_id)
               .outerjoin(_PARENT, _PARENT.id == Post.in_reply_to_id)
               .where(Post.id.in_(bindparam("ids", expanding=True)), Post.visibility != "direct",
                      Post.boost_of_id.is_(None), Follow.state == "accepted", Follow.notify.is_(True),
                      Actor.local.is_(True), or_(Post.in_reply_to_uri.is_(None), _PARENT.author_id == Post.author_id)))


def subscribed(connection: Connection, post_ids: list[int]) -> list[tuple[int, int, int]]:
    """(follower, post, author) for notify_subscribers, on a sync Connection (server.db.burst)."""
    return [tuple(row) for row in connection.execute(_SUBSCRIBED, {"ids": post_ids})]


async def notify_subscribed(session: AsyncSession, rows: list[tuple[int, int, int]], skip: Iterable[int] = ()) -> int:
    """Notify the (follower, post, author) rows of `subscribed`, but those in `skip`."""
    skipped, count = set(skip), 0
    for follower_id, post_id, author_id in rows:
        if follower_id not in skipped:
            count += await notify(session, "status", [follower_id], author_id, post_id)
    return count


async def notify_boosters(session: AsyncSession, post: Post) -> int:
    """`update` notifications to local members who boosted a post that was just edited."""
    boosters = select(Post.author_id).join(Actor, Actor.id == Post.author_id).where(
        Post.boost_of_id == post.id, Actor.local.is_(True))
    return await notify(session, "update", list((await session.execute(boosters)).scalars()), post.author_id, post.id)
