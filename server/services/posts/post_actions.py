"""What a member does to a post, the same from the client API and the web UI: favourite, boost, bookmark, pin,
mute its conversation (and undo them). The post acted on is one the member may see, a boost standing for the post
it boosted; the caller commits, then wakes the delivery workers for an action that `federates`."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Post
from server.runtime import Runtime
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


FAVOURITE, UNFAVOURITE = PostAction(social.favourite), PostAction(social.unfavourite)
BOOST, UNBOOST = PostAction(social.boost), PostAction(social.unboost)
BOOKMARK, UNBOOKMARK = _private(bookmarks.bookmark), _private(bookmarks.unbookmark)
PIN, UNPIN = _private(bookmarks.pin), _private(bookmarks.unpin)
MUTE, UNMUTE = _private(conversation_mutes.mute), _private(conversation_mutes.unmute)
