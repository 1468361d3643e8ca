"""What a member does to a post, the same from the client API and the web UI: favourite, boost, bookmark, pin,
mute its conversation (and undo them). The post acted on is one the member may see, a boost standing for the post
it boosted; the caller commits, then wakes the delivery workers for an action that `federates`."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from server.db.models import Actor, Like, Post
from server.db.models.posts import stays_local
from server.runtime import Runtime
from server.services.groups import relay as group_relay
from server.services.posts import bookmarks_and_pins as bookmarks
from server.services.social import conversation_mutes
from server.services.social import interactions as social
from server.services.social.visibility_to_viewers import visible_post


@dataclass(frozen=True)
class PostAction:
    run: Callable[[Runtime, AsyncSession, Actor, Post], Awaitable[Post | None]]  # a boost answers its boost
    federates: bool = True


async def acted_on(session: AsyncSession, post_id: int, viewer: Actor | None) -> Post | None:
    """The post an action names if the viewer may see it; a boost stands for the post it boosted."""
    post = await visible_post(session, post_id, viewer)
    if post is not None and post.boost_of_id is not None:
        post = await session.get(Post, post.boost_of_id)
    return post


def _private(change) -> PostAction:
    """An action kept on this server (`change(session, actor, post)`): nothing to deliver."""
    return PostAction(lambda runtime, session, actor, post: change(session, actor, post), federates=False)


async def _favourite(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> None:
    """The Like goes to the post's author, and the group whose post it is relays it."""
    await social.favourite(runtime, session, actor, post)
    await _relay_like(runtime, session, actor, post, lambda like: like)


async def _unfavourite(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post) -> None:
    await _relay_like(runtime, session, actor, post, lambda like: activities.undo(f"{like['id']}/undo", actor.uri,
                                                                                  like))
    await social.unfavourite(runtime, session, actor, post)


async def _relay_like(runtime: Runtime, session: AsyncSession, actor: Actor, post: Post, shape) -> None:
    like_uri = await session.scalar(select(Like.uri).where(Like.actor_id == actor.id, Like.post_id == post.id))
    if like_uri is not None and not stays_local(post):
        like = activities.like(like_uri, actor.uri, post.uri)
        await group_relay.relay_about(runtime, session, shape(like), post.id, actor)


FAVOURITE, UNFAVOURITE = PostAction(_favourite), PostAction(_unfavourite)
BOOST, UNBOOST = PostAction(social.boost), PostAction(social.unboost)
BOOKMARK, UNBOOKMARK = _private(bookmarks.bookmark), _private(bookmarks.unbookmark)
PIN, UNPIN = _private(bookmarks.pin), _private(bookmarks.unpin)
MUTE, UNMUTE = _private(conversation_mutes.mute), _private(conversation_mutes.unmute)
