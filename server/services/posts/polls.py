"""Polls: votes of local members (on any poll) and of remote actors (on ours), counts, deadlines.

Counts live in Post.poll (the JSON every view reads). For our polls they are recounted from the
votes table after each vote, under a lock on the post row, so that concurrent votes never lose one.
For remote polls they are the origin's, plus our members' own votes until its next Update.
"""
from __future__ import annotations

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.convert.vote_to_as import vote_create
from server.db.ids import snowflake
from server.db.models import Actor, PollDeadline, PollVote, Post
from server.db.poll_json import Poll, poll_json, read_poll
from server.db.upsert import insert_ignore
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity


def titles(stored: dict | None) -> list[str]:
    poll = read_poll(stored)
    return poll.titles if poll else []


def options_changed(stored: dict | None, options: tuple[str, ...], multiple: bool) -> bool:
    poll = read_poll(stored)
    return poll is None or poll.titles != list(options) or poll.multiple != multiple


async def register_deadline(session: AsyncSession, post: Post) -> None:
    """Remember when the post's poll ends, so that its end is handled (see server.services.posts.poll_closing)."""
    poll = read_poll(post.poll)
    if poll and poll.expires_at is not None:
        await insert_ignore(session, PollDeadline, [{"post_id": post.id, "expires_at": poll.expires_at}])


async def restart(session: AsyncSession, post: Post) -> None:
    """The poll was replaced by an edit: its votes and deadline go, a new deadline comes."""
    await session.execute(delete(PollVote).where(PollVote.post_id == post.id))
    await session.execute(delete(PollDeadline).where(PollDeadline.post_id == post.id))
    await register_deadline(session, post)


async def own_votes(session: AsyncSession, actor_id: int, post_ids: list[int]) -> dict[int, list[int]]:
    """The choices `actor_id` made in each of these posts' polls (only polls voted in appear)."""
    if not post_ids:
        return {}
    rows = await session.execute(select(PollVote.post_id, PollVote.choice).where(
        PollVote.actor_id == actor_id, PollVote.post_id.in_(post_ids)).order_by(PollVote.choice))
    voted: dict[int, list[int]] = {}
    for post_id, choice in rows.all():
        voted.setdefault(post_id, []).append(choice)
    return voted


async def _lock(session: AsyncSession, post: Post) -> None:
    # PostgreSQL: one vote at a time per poll, so each recount sees the others. SQLite writes one at a time anyway.
    await session.execute(select(Post.id).where(Post.id == post.id).with_for_update())


async def recount(session: AsyncSession, post: Post) -> None:
    """Set our poll's counts from the votes table."""
    counts = dict((await session.execute(select(PollVote.choice, func.count()).where(PollVote.post_id == post.id)
                                         .group_by(PollVote.choice))).all())
    voters = await session.scalar(select(func.count(distinct(PollVote.actor_id))).where(PollVote.post_id == post.id))
    poll = read_poll(post.poll)
    post.poll = poll_json(poll.counted([int(counts.get(i, 0)) for i in range(len(poll.options))], int(voters or 0)))


def _check_choices(poll: Poll, choices: list[int]) -> list[int]:
    count = len(poll.options)
    if not choices:
        raise ServiceError(N_("choose at least one option"))
    if any(not 0 <= c < count for c in choices) or len(set(choices)) != len(choices):
        raise ServiceError(N_("choices are distinct numbers from 0 to %(last)s"), values={"last": count - 1})
    if len(choices) > 1 and not poll.multiple:
        raise ServiceError(N_("this poll takes one choice"))
    return sorted(choices)


async def vote(runtime: Runtime, session: AsyncSession, voter: Actor, post: Post, choices: list[int]) -> Post:
    """A local member votes; on a remote poll the votes are sent to its author. The caller commits."""
    poll = read_poll(post.poll)
    if poll is None:
        raise ServiceError(N_("this post has no poll"))
    if poll.has_ended():
        raise ServiceError(N_("The poll has already ended"))
    if post.author_id == voter.id:
        raise ServiceError(N_("You cannot vote in your own poll"))
    choices = _check_choices(poll, choices)
    await _lock(session, post)
    if await session.scalar(select(PollVote.id).where(PollVote.post_id == post.id, PollVote.actor_id == voter.id)
                            .limit(1)):
        raise ServiceError(N_("You have already voted on this poll"))
    votes = [PollVote(id=snowflake(), post_id=post.id, actor_id=voter.id, choice=c) for c in choices]
    for row in votes:
        row.uri = None if post.local else runtime.urls.activity(voter.uri, "votes", row.id)
    session.add_all(votes)
    await session.flush()
    if post.local:
        await recount(session, post)
        return post
    voters = None if poll.voters_count is None else poll.voters_count + 1
    post.poll = poll_json(poll.counted([o.votes_count + (i in choices) for i, o in enumerate(poll.options)], voters))
    await register_deadline(session, post)
    for row in votes:
        doc = vote_create(row.uri, voter.uri, post.uri, post.author.uri, poll.titles[row.choice])
        await enqueue_activity(session, doc, voter, inboxes=[post.author.inbox])
    return post


async def record_remote_vote(session: AsyncSession, post: Post, voter: Actor, title: str, uri: str) -> bool:
    """A remote actor's vote (one Create per option) on our poll; False when it does not count: the poll
    ended, the option is unknown, or a single-choice poll has their vote already."""
    poll = read_poll(post.poll)
    if not post.local or poll is None or poll.has_ended() or title not in poll.titles:
        return False
    await _lock(session, post)
    if not poll.multiple and await session.scalar(
            select(PollVote.id).where(PollVote.post_id == post.id, PollVote.actor_id == voter.id).limit(1)):
        return False
    added = await insert_ignore(session, PollVote, [{"id": snowflake(), "post_id": post.id, "actor_id": voter.id,
                                                     "choice": poll.titles.index(title), "uri": uri}])
    if added:
        await recount(session, post)
    return bool(added)
