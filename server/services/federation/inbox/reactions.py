"""Like and Announce (boost) of posts, and their Undo."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, select, update

from federation.addressing import visibility_from
from federation.vocab.values import id_of
from server.db.ids import snowflake
from server.db.models import Like, Post
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.federation.inbox.posts import as_received, parse_post, remove_post, store_post
from server.services.groups import relay
from server.services.posts import fanout as timelines
from server.services.social.visibility_to_servers import remote_may_see


async def on_like_note(ctx: InboxContext) -> None:
    """A Like of a local post (remote posts keep their counts at their origin, as on Mastodon); of a group's post,
    relayed by the group."""
    post = await ctx.post(ctx.object_id)
    if post is None or not (post.local or await relay.holding(ctx.session, post.id)):
        return
    liker = await ctx.actor()
    await relay.relay_about(ctx.runtime, ctx.session, as_received(ctx), post.id, liker)
    if not post.local:
        return
    if not await remote_may_see(ctx.session, post, liker):
        raise Refused(f"{liker.uri} may not see {post.uri}")
    row = {"actor_id": liker.id, "post_id": post.id, "uri": ctx.activity.id}
    if await insert_ignore(ctx.session, Like, [row]):
        await ctx.session.execute(update(Post).where(Post.id == post.id).values(likes_count=Post.likes_count + 1))
        await timelines.notify(ctx.session, "favourite", [post.author_id], liker.id, post.id)


def _inner(ctx: InboxContext) -> tuple[str | None, str | None]:
    """(id, object id) of the activity an Undo takes back, embedded or named by id."""
    inner = ctx.embedded()
    if inner is None:
        return ctx.object_id, None
    return ctx.object_id, id_of(inner.get("object"), allow_http=ctx.allow_http)


async def on_undo_like(ctx: InboxContext) -> None:
    actor = await ctx.known_actor(ctx.activity.actor)
    if actor is None:
        return
    like_uri, post_uri = _inner(ctx)
    post = await ctx.post(post_uri)
    match = Like.uri == like_uri if post is None else (Like.uri == like_uri) | (Like.post_id == post.id)
    like = (await ctx.session.execute(select(Like).where(Like.actor_id == actor.id, match))).scalars().first()
    liked = post.id if post is not None else like.post_id if like is not None else None
    if liked is not None:  # a group's post (a remote one keeps no Like here): the group relays the Undo
        taken_back = {"id": like_uri, "type": "Like", "actor": actor.uri, "object": post_uri} if post else None
        await relay.relay_about(ctx.runtime, ctx.session, as_received(ctx, taken_back), liked, actor)
    if like is None:
        return
    await ctx.session.execute(delete(Like).where(Like.id == like.id))
    await ctx.session.execute(update(Post).where(Post.id == like.post_id).values(likes_count=Post.likes_count - 1))


async def _original(ctx: InboxContext) -> Post:
    """The boosted post: known already, else fetched from its origin (with its author) and stored."""
    post = await ctx.post(ctx.object_id)
    if post is not None:
        return post
    doc = await _original_doc(ctx)
    author_uri = _author_of(ctx, doc)
    author = await ctx.remote_actor(author_uri) if author_uri else None
    if author is None:
        raise Refused(f"boosted object {ctx.object_id} names no author")
    # Parse as if the author had sent it: the same attribution and origin rules apply.
    parsed = await parse_post(_as_author(ctx, author.uri), doc)
    return await store_post(ctx, parsed, author, fan_out=False, doc=doc) or await ctx.post(parsed.id)


def _author_of(ctx: InboxContext, doc: dict) -> str:
    return id_of(doc.get("attributedTo"), allow_http=ctx.allow_http) or ""


async def _original_doc(ctx: InboxContext) -> dict:
    """The boosted object: as embedded only in a self-boost (its author's word), else from its origin."""
    doc = await ctx.object_doc()
    if ctx.object_was_embedded and _author_of(ctx, doc) != ctx.activity.actor:
        return await ctx.fetch_object(ctx.object_id)
    return doc


def _as_author(ctx: InboxContext, author_uri: str) -> InboxContext:
    return replace(ctx, activity=replace(ctx.activity, actor=author_uri, to=(), cc=()))


async def on_announce_note(ctx: InboxContext) -> None:
    if await ctx.post(ctx.activity.id) is not None:
        return
    booster = await ctx.actor()
    original = await _original(ctx)
    if original.visibility not in timelines.BOOSTABLE:
        raise Refused(f"{original.uri} is not public and cannot be boosted")
    if original.local and not await remote_may_see(ctx.session, original, booster):
        raise Refused(f"{booster.uri} may not see {original.uri}")
    activity = ctx.activity
    published = min(activity.published or utcnow(), utcnow())
    boost = Post(id=snowflake(published), uri=activity.id, author_id=booster.id, author=booster, local=False,
                 visibility=visibility_from(list(activity.to), list(activity.cc), followers_url=booster.followers_url),
                 object_type=original.object_type, boost_of_id=original.id, to=list(activity.to),
                 cc=list(activity.cc), published=published)
    ctx.session.add(boost)
    await ctx.session.flush()
    await ctx.session.execute(update(Post).where(Post.id == original.id)
                              .values(boosts_count=Post.boosts_count + 1))
    if original.author.local:
        await timelines.notify(ctx.session, "reblog", [original.author_id], booster.id, original.id)
    await timelines.fan_out(ctx.session, boost, boosted=original)


async def on_undo_announce(ctx: InboxContext) -> None:
    boost_uri, _ = _inner(ctx)
    boost = await ctx.post(boost_uri)
    if boost is None or boost.boost_of_id is None:
        return
    if boost.author.uri != ctx.activity.actor:
        raise Refused(f"{ctx.activity.actor} may not undo the boost {boost.uri}")
    await remove_post(ctx.session, boost)
