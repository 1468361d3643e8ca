"""The end of a poll: ours close and their results federate as an Update of the Question (to the
post's audience and the remote voters who may still see it); local voters and a local author get a `poll`
notification.

A deadline is claimed by a conditional UPDATE, so that of several workers exactly one handles it.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.post_to_as import update_activity
from server.db.ids import snowflake
from server.db.models import Actor, Mention, Notification, PollDeadline, PollVote, Post
from server.db.poll_json import poll_json, read_poll
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from server.services.posts import polls
from server.services.posts.authoring import audience_of, federated
from server.services.posts.fanout import record_notifications
from server.services.social.conversation_mutes import not_muting
from server.services.social.visibility_to_servers import remote_viewers

BATCH = 100


async def _voters(session: AsyncSession, post_id: int, local: bool) -> list[Actor]:
    query = (select(Actor).where(Actor.id.in_(select(PollVote.actor_id).where(PollVote.post_id == post_id)),
                                 Actor.local.is_(local)))
    return list((await session.execute(query)).scalars())


async def _federate_results(runtime: Runtime, session: AsyncSession, post: Post, now: datetime) -> None:
    mentioned = list((await session.execute(select(Actor).join(Mention, Mention.actor_id == Actor.id)
                                            .where(Mention.post_id == post.id))).scalars())
    voters = await _voters(session, post.id, local=False)
    allowed = await remote_viewers(session, post, [v.id for v in voters])
    recipients = await audience_of(session, post, mentioned) + [v for v in voters if v.id in allowed]
    activity = update_activity(post, runtime.urls)
    activity["id"] = f"{post.uri}#updates/poll/{int(now.timestamp())}"  # not an edit: an id of its own
    await enqueue_activity(session, activity, post.author, recipients)


async def close_poll(runtime: Runtime, session: AsyncSession, post: Post, now: datetime) -> None:
    """Handle the end of the post's poll (its deadline already claimed)."""
    if post.local:
        await polls.recount(session, post)
        post.poll = poll_json(replace(read_poll(post.poll), closed=True))
        if federated(post):
            await _federate_results(runtime, session, post, now)
    recipients = [a.id for a in await _voters(session, post.id, local=True)]
    if post.author.local:
        recipients.append(post.author_id)
    await record_notifications(session, [Notification(id=snowflake(), recipient_id=r, type="poll",
                                                      from_actor_id=post.author_id, post_id=post.id)
                                         for r in await not_muting(session, dict.fromkeys(recipients), post.id)])


async def close_due(runtime: Runtime, session: AsyncSession, now: datetime | None = None) -> int:
    """Close the polls whose time has come (a batch); returns how many. The caller commits."""
    now = now or utcnow()
    due = list((await session.execute(select(PollDeadline.post_id).where(
        PollDeadline.closed_at.is_(None), PollDeadline.expires_at <= now).limit(BATCH))).scalars())
    closed = 0
    for post_id in due:
        claimed = await session.execute(update(PollDeadline).where(
            PollDeadline.post_id == post_id, PollDeadline.closed_at.is_(None)).values(closed_at=now))
        post = await session.get(Post, post_id)
        if claimed.rowcount != 1 or post is None or not post.poll:
            continue
        await close_poll(runtime, session, post, now)
        closed += 1
    await session.flush()
    return closed
