"""Follow, Accept/Reject of our Follows, Undo of Follow, and Block/Undo Block between actors."""
from __future__ import annotations

import hashlib

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from federation.vocab.values import id_of
from server.db.models import Actor, Block, Follow, Group
from server.db.upsert import insert_ignore
from server.services.federation.delivery import enqueue_activity
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.groups import joining
from server.services.groups.registry import group_by_actor
from server.services.moderation.incoming import follow_needs_approval
from server.services.posts import fanout as timelines
from server.services.social.account_publicity import is_hidden


def _answer_id(local: Actor, verb: str, follow_uri: str) -> str:
    # One answer per Follow activity (stable, so reprocessing queues nothing new), like Mastodon's
    # `#accepts/follows/N`; a re-sent Follow gets its own answer.
    digest = hashlib.sha256(follow_uri.encode()).hexdigest()[:20]
    return f"{local.uri}#{verb}/follows/{digest}"


async def answer_follow(session: AsyncSession, local: Actor, follower: Actor, follow_uri: str, *, accept: bool) -> None:
    """Queue an Accept (or Reject) of `follower`'s Follow `follow_uri` of `local`, to its inbox."""
    follow = activities.follow(follow_uri, follower.uri, local.uri)
    build, verb = (activities.accept, "accepts") if accept else (activities.reject, "rejects")
    answer = build(_answer_id(local, verb, follow_uri), local.uri, follow)
    await enqueue_activity(session, answer, local, inboxes=[follower.inbox] if follower.inbox else [])


async def _blocks(session: AsyncSession, actor_id: int, target_id: int) -> bool:
    query = select(Block.id).where(Block.actor_id == actor_id, Block.target_id == target_id)
    return (await session.execute(query)).first() is not None


async def on_follow_actor(ctx: InboxContext) -> None:
    target = await ctx.local_actor(ctx.object_id)
    if target is None or await is_hidden(ctx.session, target):
        return  # not one of ours, or not one the world may see yet
    follower = await ctx.actor()
    session = ctx.session
    if await _blocks(session, target.id, follower.id):
        return await answer_follow(session, target, follower, ctx.activity.id, accept=False)
    query = select(Follow).where(Follow.follower_id == follower.id, Follow.followed_id == target.id)
    existing = (await session.execute(query)).scalar_one_or_none()
    if existing is not None:
        if existing.state == "accepted":  # they lost track: confirm again, under the new id
            existing.uri = ctx.activity.id
            await answer_follow(session, target, follower, ctx.activity.id, accept=True)
        return
    if (group := await group_by_actor(session, target)) is not None:
        return await _join_group(ctx, group, follower)
    needs_approval = target.manually_approves or await follow_needs_approval(ctx.runtime, session, follower)
    state = "pending" if needs_approval else "accepted"
    session.add(Follow(follower_id=follower.id, followed_id=target.id, uri=ctx.activity.id, state=state))
    if state == "accepted":
        await answer_follow(session, target, follower, ctx.activity.id, accept=True)
    await timelines.notify(session, "follow" if state == "accepted" else "follow_request", [target.id], follower.id)


async def _join_group(ctx: InboxContext, group: Group, follower: Actor) -> None:
    """A remote actor asks to join a group hosted here: Accept, Reject, or pending a moderator, by its policy."""
    decision = await joining.decide(ctx.runtime, ctx.session, group, follower)
    if decision.refused:
        return await answer_follow(ctx.session, group.actor, follower, ctx.activity.id, accept=False)
    ctx.session.add(Follow(follower_id=follower.id, followed_id=group.actor_id, uri=ctx.activity.id,
                           state=decision.state))
    if decision.state == "accepted":
        await answer_follow(ctx.session, group.actor, follower, ctx.activity.id, accept=True)


async def _our_follow(ctx: InboxContext) -> Follow | None:
    """The Follow of ours that an Accept/Reject answers: by its id, else by who follows whom."""
    answerer = await ctx.known_actor(ctx.activity.actor)
    if answerer is None:
        return None
    session = ctx.session
    follow = (await session.execute(select(Follow).where(Follow.uri == ctx.object_id))).scalar_one_or_none()
    if follow is None:  # some servers answer with their own copy of the Follow: match who follows whom
        inner = ctx.embedded() or {}
        follower = await ctx.local_actor(id_of(inner.get("actor"), allow_http=ctx.allow_http))
        if follower is None:
            return None
        query = select(Follow).where(Follow.follower_id == follower.id, Follow.followed_id == answerer.id)
        follow = (await session.execute(query)).scalar_one_or_none()
    if follow is not None and follow.followed_id != answerer.id:
        raise Refused(f"{answerer.uri} answers a Follow of someone else")
    return follow


async def on_accept_follow(ctx: InboxContext) -> None:
    follow = await _our_follow(ctx)
    if follow is not None:
        follow.state = "accepted"


async def on_reject_follow(ctx: InboxContext) -> None:
    follow = await _our_follow(ctx)
    if follow is not None:
        await ctx.session.execute(delete(Follow).where(Follow.id == follow.id))


async def on_undo_follow(ctx: InboxContext) -> None:
    follower = await ctx.known_actor(ctx.activity.actor)
    if follower is None:
        return
    inner = ctx.embedded() or {}
    target = await ctx.local_actor(id_of(inner.get("object"), allow_http=ctx.allow_http))
    match = Follow.uri == ctx.object_id
    if target is not None:
        match = match | (Follow.followed_id == target.id)
    await ctx.session.execute(delete(Follow).where(Follow.follower_id == follower.id, match))


async def on_block_actor(ctx: InboxContext) -> None:
    """A remote actor blocks a member: follows end both ways, and the block is kept."""
    target = await ctx.local_actor(ctx.object_id)
    if target is None:
        return
    blocker = await ctx.actor()
    both_ways = or_(and_(Follow.follower_id == blocker.id, Follow.followed_id == target.id),
                    and_(Follow.follower_id == target.id, Follow.followed_id == blocker.id))
    await ctx.session.execute(delete(Follow).where(both_ways))
    await insert_ignore(ctx.session, Block, [{"actor_id": blocker.id, "target_id": target.id, "uri": ctx.activity.id}])


async def on_undo_block(ctx: InboxContext) -> None:
    blocker = await ctx.known_actor(ctx.activity.actor)
    if blocker is None:
        return
    inner = ctx.embedded() or {}
    target = await ctx.local_actor(id_of(inner.get("object"), allow_http=ctx.allow_http))
    match = Block.uri == ctx.object_id
    if target is not None:
        match = match | (Block.target_id == target.id)
    await ctx.session.execute(delete(Block).where(Block.actor_id == blocker.id, match))
