"""Bookmarks (private to their owner, never federated) and pins (a member's own posts on their profile
and in their featured collection)."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Actor, Bookmark, Pin, Post
from server.db.upsert import insert_ignore
from server.i18n import N_

MAX_PINS = 5
PINNABLE = ("public", "unlisted")


async def bookmark(session: AsyncSession, actor: Actor, post: Post) -> None:
    await insert_ignore(session, Bookmark, [{"actor_id": actor.id, "post_id": post.id}])


async def unbookmark(session: AsyncSession, actor: Actor, post: Post) -> None:
    await session.execute(delete(Bookmark).where(Bookmark.actor_id == actor.id, Bookmark.post_id == post.id))


async def pin(session: AsyncSession, actor: Actor, post: Post) -> None:
    """Pin one of the member's own public or unlisted posts; at most MAX_PINS."""
    if post.author_id != actor.id or post.boost_of_id is not None:
        raise ServiceError(N_("only your own posts can be pinned"))
    if post.visibility not in PINNABLE:
        raise ServiceError(N_("only public and unlisted posts can be pinned"))
    if await session.scalar(select(Pin.id).where(Pin.actor_id == actor.id, Pin.post_id == post.id)):
        return
    if (await session.scalar(select(func.count()).select_from(Pin).where(Pin.actor_id == actor.id))) >= MAX_PINS:
        raise ServiceError(N_("you can pin at most %(limit)s posts"), values={"limit": MAX_PINS})
    await insert_ignore(session, Pin, [{"actor_id": actor.id, "post_id": post.id}])


async def unpin(session: AsyncSession, actor: Actor, post: Post) -> None:
    await session.execute(delete(Pin).where(Pin.actor_id == actor.id, Pin.post_id == post.id))


async def pinned_posts(session: AsyncSession, actor_id: int) -> list[Post]:
    """The member's pinned posts, the latest pinned first."""
    query = select(Post).join(Pin, Pin.post_id == Post.id).where(Pin.actor_id == actor_id).order_by(Pin.id.desc())
    return list((await session.execute(query)).scalars())
