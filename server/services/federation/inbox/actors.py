"""Update, Delete and Move of actors (an actor may only speak about itself)."""
from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from federation import vocab
from server.db.models import Actor, Like, Post
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.federation.remote_actors import apply_profile
from server.services.social.moves import move_local_followers
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


async def _move_target(ctx: InboxContext, uri: str) -> Actor:
    """The account moved to, if it lists the mover in alsoKnownAs: a remote one as its origin serves it now
    (never as the activity says), a local one as stored here."""
    local = await ctx.local_actor(uri)
    if local is not None:
        aliases = tuple(local.also_known_as or ())
    else:
        aliases = vocab.parse_actor(await ctx.fetch_object(uri), allow_http=ctx.allow_http).also_known_as
    if ctx.activity.actor not in aliases:
        raise Refused(f"{uri} does not list {ctx.activity.actor} in alsoKnownAs")
    return local or await ctx.remote_actor(uri)


async def on_move_actor(ctx: InboxContext) -> None:
    """An actor moved (the new account must list the old one in alsoKnownAs): record it and move our
    members' follows over, as Mastodon does: follow the new account, unfollow the old one, and notify."""
    _self_only(ctx)
    if ctx.activity.target is None:
        raise Refused("Move has no target")
    new = await _move_target(ctx, ctx.activity.target)
    old = await ctx.actor()
    old.moved_to_uri = new.uri
    moved = await move_local_followers(ctx.runtime, ctx.session, old, new)
    log.info("actor %s moved to %s: %d local follower(s) moved", old.uri, new.uri, moved)
