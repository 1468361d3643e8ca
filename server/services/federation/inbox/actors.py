"""Update, Delete and Move of actors (an actor may only speak about itself)."""
from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from federation import vocab
from server.db.models import Actor, Follow, Like, Post
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.federation.remote_actors import apply_profile
from server.services.social import interactions as social
from server.services.verification.attestations_received import check_actor_attestation, store_checked

log = logging.getLogger("curbside.inbox")


def _self_only(ctx: InboxContext) -> None:
    if ctx.object_id != ctx.activity.actor:
        raise Refused(f"{ctx.activity.actor} may not {ctx.activity.type} the actor {ctx.object_id}")


async def on_update_actor(ctx: InboxContext) -> None:
    """Apply the new profile (the embedded document, trusted only on the actor's own origin), and check
    the attestation it carries (or note that it carries none any more)."""
    _self_only(ctx)
    document = await ctx.object_doc()
    parsed = vocab.parse_actor(document, allow_http=ctx.allow_http)
    if parsed.id != ctx.activity.actor:
        raise Refused(f"the document names {parsed.id}, not {ctx.activity.actor}")
    row = await ctx.known_actor(parsed.id)
    if row is None:
        await ctx.actor()  # not known yet: fetched whole
    elif not row.local:
        checked = await check_actor_attestation(ctx.runtime, await ctx.fetcher_source(), document, parsed.id)
        await apply_profile(ctx.session, parsed, row)
        await store_checked(ctx.session, row, checked)


async def remove_actor(session: AsyncSession, actor: Actor) -> None:
    """Delete a remote actor with everything of theirs, keeping other posts' counts right."""
    liked = select(Like.post_id).where(Like.actor_id == actor.id)
    await session.execute(update(Post).where(Post.id.in_(liked)).values(likes_count=Post.likes_count - 1))
    mine = aliased(Post)
    for link, count in ((mine.boost_of_id, Post.boosts_count), (mine.in_reply_to_id, Post.replies_count)):
        targets = select(link).where(mine.author_id == actor.id, link.is_not(None))
        gone = select(func.count()).where(mine.author_id == actor.id, link == Post.id).scalar_subquery()
        await session.execute(update(Post).where(Post.id.in_(targets), Post.author_id != actor.id)
                              .values({count: count - gone}))
    await session.execute(delete(Actor).where(Actor.id == actor.id))  # cascades: posts, follows, likes, ...


async def on_delete_actor(ctx: InboxContext) -> None:
    _self_only(ctx)
    actor = await ctx.known_actor(ctx.activity.actor)
    if actor is not None and not actor.local:
        await remove_actor(ctx.session, actor)


async def on_move_actor(ctx: InboxContext) -> None:
    """An actor moved (the new account must list the old one in alsoKnownAs): record it and move
    our members' follows over, as Mastodon does: follow the new account, unfollow the old one."""
    _self_only(ctx)
    if ctx.activity.target is None:
        raise Refused("Move has no target")
    target = vocab.parse_actor(await ctx.fetch_object(ctx.activity.target), allow_http=ctx.allow_http)
    if ctx.activity.actor not in target.also_known_as:
        raise Refused(f"{target.id} does not list {ctx.activity.actor} in alsoKnownAs")
    old = await ctx.actor()
    new = await ctx.remote_actor(target.id)
    old.moved_to_uri = new.uri
    query = (select(Actor).join(Follow, Follow.follower_id == Actor.id)
             .where(Follow.followed_id == old.id, Follow.state == "accepted", Actor.local.is_(True)))
    followers = list((await ctx.session.execute(query)).scalars())
    for follower in followers:
        await social.follow(ctx.runtime, ctx.session, follower, new)
        await social.unfollow(ctx.runtime, ctx.session, follower, old)
    log.info("actor %s moved to %s: %d local follower(s) moved", old.uri, new.uri, len(followers))
