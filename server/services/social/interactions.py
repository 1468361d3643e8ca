"""What members do to each other: follow, unfollow, favourite, boost (and undo them), answer follow requests.

Each function changes the database and queues the activity in one transaction; the caller commits.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from moderation.errors import Kind, ServiceError
from server.convert.post_to_as import announce_activity, legacy_announce_id
from server.db.ids import snowflake
from server.db.models import Actor, Follow, Like, Post
from server.db.models.posts import HELD, stays_local
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.groups.remote_threads import thread_group
from server.services.posts.fanout import fan_out, notify
from server.services.reading import stream_events
from server.urls import LocalUrls


def _follow_doc(runtime: Runtime, follow: Follow, follower: Actor, target: Actor) -> dict:
    return activities.follow(follow.uri, follower.uri, target.uri)


async def find_follow(session: AsyncSession, follower_id: int, followed_id: int) -> Follow | None:
    query = select(Follow).where(Follow.follower_id == follower_id, Follow.followed_id == followed_id)
    return (await session.execute(query)).scalar_one_or_none()


async def follow(runtime: Runtime, session: AsyncSession, follower: Actor, target: Actor,
                 *, show_boosts: bool = True, notify_posts: bool = False) -> Follow:
    """Follow `target` (local: accepted unless it approves followers by hand; remote: pending until Accept)."""
    if target.id == follower.id:
        raise ServiceError(N_("you cannot follow yourself"), Kind.FORBIDDEN)
    existing = await find_follow(session, follower.id, target.id)
    if existing is not None:
        existing.show_boosts, existing.notify = show_boosts, notify_posts
        return existing
    follow_id = snowflake()
    row = Follow(follower_id=follower.id, followed_id=target.id,
                 uri=runtime.urls.activity(follower.uri, "follows", follow_id),
                 state="pending" if (target.manually_approves or not target.local) else "accepted",
                 show_boosts=show_boosts, notify=notify_posts)
    session.add(row)
    await session.flush()
    if target.local:
        await notify(session, "follow_request" if row.state == "pending" else "follow", [target.id], follower.id)
    else:
        await enqueue_activity(session, _follow_doc(runtime, row, follower, target), follower, inboxes=[target.inbox])
    return row


async def unfollow(runtime: Runtime, session: AsyncSession, follower: Actor, target: Actor) -> None:
    row = await find_follow(session, follower.id, target.id)
    if row is None:
        return
    if not target.local:
        undo = activities.undo(f"{row.uri}/undo", follower.uri, _follow_doc(runtime, row, follower, target))
        await enqueue_activity(session, undo, follower, inboxes=[target.inbox])
    await session.delete(row)
    await session.flush()


async def answer_follow_request(runtime: Runtime, session: AsyncSession, target: Actor, follower: Actor,
                                *, accept: bool) -> None:
    """Accept or reject a pending follow of local `target` by `follower`."""
    row = await find_follow(session, follower.id, target.id)
    if row is None or row.state != "pending":
        raise ServiceError(N_("no pending follow request from that account"), Kind.NOT_FOUND)
    if not follower.local:
        await _answer_remote(runtime, session, row, target, follower, accept)
    if accept:
        row.state = "accepted"
        await notify(session, "follow", [target.id], follower.id)
    else:
        await session.delete(row)
    await session.flush()


async def _answer_remote(runtime: Runtime, session: AsyncSession, row: Follow, target: Actor, follower: Actor,
                         accept: bool) -> None:
    """Send remote `follower` the Accept or Reject of their follow of local `target`."""
    follow_doc = activities.follow(row.uri, follower.uri, target.uri)
    answer_id = runtime.urls.activity(target.uri, "accepts" if accept else "rejects", snowflake())
    build = activities.accept if accept else activities.reject
    await enqueue_activity(session, build(answer_id, target.uri, follow_doc), target, inboxes=[follower.inbox])


async def remove_follower(runtime: Runtime, session: AsyncSession, target: Actor, follower: Actor) -> None:
    """`follower` no longer follows local `target`; a remote follower's server is sent a Reject of the follow,
    as Mastodon tells it."""
    row = await find_follow(session, follower.id, target.id)
    if row is None or row.state != "accepted":
        return
    if not follower.local and follower.inbox:
        await _answer_remote(runtime, session, row, target, follower, accept=False)
    await session.delete(row)
    await session.flush()


async def favourite(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> None:
    exists = await session.scalar(select(Like.id).where(Like.actor_id == actor.id, Like.post_id == post.id))
    if exists:
        return
    like = Like(actor_id=actor.id, post_id=post.id, uri=runtime.urls.activity(actor.uri, "likes", snowflake()))
    session.add(like)
    await session.execute(update(Post).where(Post.id == post.id).values(likes_count=Post.likes_count + 1))
    await session.flush()
    if post.author.local:
        await notify(session, "favourite", [post.author_id], actor.id, post.id)
    elif post.visibility != "local":
        group = await thread_group(session, post)
        await enqueue_activity(session, _like_doc(like, actor, post, group), actor, inboxes=_like_inboxes(post, group))


def _like_doc(like: Like, actor: Actor, post: Post, group: Actor | None) -> dict:
    return activities.like(like.uri, actor.uri, post.uri, audience=group and group.uri)


def _like_inboxes(post: Post, group: Actor | None) -> list[str]:
    """The author's inbox, and that of the remote group whose thread the post is in: Lemmy and Mbin count a Like
    the group relays (as Announce(Like)), not one only its author saw. One POST when both share an inbox."""
    if group is None:
        return [post.author.inbox]
    group_inbox = group.shared_inbox or group.inbox
    return [group_inbox] if post.author.shared_inbox == group_inbox else [post.author.inbox, group_inbox]


async def unfavourite(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> None:
    like = (await session.execute(select(Like).where(Like.actor_id == actor.id, Like.post_id == post.id))
            ).scalar_one_or_none()
    if like is None:
        return
    await session.execute(update(Post).where(Post.id == post.id, Post.likes_count > 0)
                          .values(likes_count=Post.likes_count - 1))
    if not post.author.local:
        group = await thread_group(session, post)
        undo = activities.undo(f"{like.uri}/undo", actor.uri, _like_doc(like, actor, post, group),
                               audience=group and group.uri)
        await enqueue_activity(session, undo, actor, inboxes=_like_inboxes(post, group))
    await session.delete(like)
    await session.flush()


async def boost(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> Post:
    """Boost a public or unlisted post (a member may also boost their own followers-only post to followers)."""
    if post.boost_of_id is not None:
        raise ServiceError(N_("boost the original post, not a boost"))
    if post.visibility in ("direct", HELD) or (post.visibility == "private" and post.author_id != actor.id):
        raise ServiceError(N_("this post cannot be boosted"))
    existing = (await session.execute(select(Post).where(Post.author_id == actor.id, Post.boost_of_id == post.id))
                ).scalar_one_or_none()
    if existing is not None:
        return existing
    boost_id = snowflake()
    visibility = "local" if stays_local(post) else ("private" if post.visibility == "private" else "public")
    row = Post(id=boost_id, uri=runtime.urls.boost(actor.username, boost_id), author_id=actor.id, local=True,
               visibility=visibility, boost_of_id=post.id, published=utcnow())
    row.author = actor
    if visibility != "local":
        doc = announce_activity(row, post, runtime.urls)
        row.to, row.cc = doc.get("to", []), doc.get("cc", [])
    session.add(row)
    await session.execute(update(Post).where(Post.id == post.id).values(boosts_count=Post.boosts_count + 1))
    await session.flush()
    await fan_out(session, row, boosted=post)
    if post.author.local:
        await notify(session, "reblog", [post.author_id], actor.id, post.id)
    if visibility != "local":
        recipients = await remote_followers(session, actor.id) + ([] if post.author.local else [post.author])
        await enqueue_activity(session, doc, actor, recipients)
    return row


def undo_boost(boost: Post, boosted: Post, urls: LocalUrls) -> list[dict]:
    """The Undo(Announce) of a boost, twice: once for its Announce's id (the boost's URI, `…/activity`) and once
    for the id Announces had before this release (`…/activity/activity`), which servers stored for older
    boosts. Nothing stored tells the two apart, and an Undo of an id a server never saw is ignored there."""
    announce = announce_activity(boost, boosted, urls)
    legacy = {**announce, "id": legacy_announce_id(boost)}
    return [activities.undo(f"{boost.uri}/undo", boost.author.uri, announce),
            activities.undo(f"{legacy['id']}/undo", boost.author.uri, legacy)]


async def withdraw_boosts(runtime: Runtime, session: AsyncSession, original: Post) -> list[tuple[Actor, list[Actor]]]:
    """Before `original` is deleted (its boosts go with it, by cascade): each member who boosted it sends
    their remote followers an Undo(Announce), as Mastodon does. Returns (booster, their remote followers):
    servers that may hold the original only through the boost, and so need its Delete too."""
    # Not a group's boost: it is the group's Announce of the thread, and the group relays the Delete itself.
    query = (select(Post).join(Actor, Actor.id == Post.author_id)
             .where(Post.boost_of_id == original.id, Post.local.is_(True), Post.visibility != "local",
                    Actor.actor_type != "Group"))
    reached = []
    for boost in (await session.execute(query)).scalars():
        followers = await remote_followers(session, boost.author_id)
        for undo in undo_boost(boost, original, runtime.urls):
            await enqueue_activity(session, undo, boost.author, followers)
        reached.append((boost.author, followers))
    return reached


async def unboost(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> None:
    row = (await session.execute(select(Post).where(Post.author_id == actor.id, Post.boost_of_id == post.id))
           ).scalar_one_or_none()
    if row is None:
        return
    if row.visibility != "local":
        recipients = await remote_followers(session, actor.id) + ([] if post.author.local else [post.author])
        for undo in undo_boost(row, post, runtime.urls):
            await enqueue_activity(session, undo, actor, recipients)
    await session.execute(update(Post).where(Post.id == post.id, Post.boosts_count > 0)
                          .values(boosts_count=Post.boosts_count - 1))
    await stream_events.post_deleted(session, row)
    await session.execute(delete(Post).where(Post.id == row.id))
    await session.flush()
