"""Who may see a post, as Mastodon's StatusPolicy decides it, for fetches by other servers.

A remote viewer is the actor whose signature we verified (None when unsigned). Only the signer
itself counts: a signature by another actor of the same host (an instance actor, say) grants
nothing. Members-only (`local`) posts, and every post in a thread under one (`local_only`, set when
the reply is written, and for older replies by migration 0019), are never shown to a remote viewer.
"""
from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Block, Follow, Mention, Post
from server.db.models.posts import HELD, stays_local
from server.services.social.account_publicity import is_public

OPEN = ("public", "unlisted")


async def _is(session: AsyncSession, query) -> bool:
    return bool(await session.scalar(select(exists(query))))


async def is_accepted_follower(session: AsyncSession, follower_id: int, followed_id: int) -> bool:
    return await _is(session, select(Follow.id).where(Follow.follower_id == follower_id,
                                                      Follow.followed_id == followed_id,
                                                      Follow.state == "accepted"))


async def follower_count(session: AsyncSession, followed_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(Follow).where(
        Follow.followed_id == followed_id, Follow.state == "accepted")) or 0)


async def is_mentioned(session: AsyncSession, post_id: int, actor_id: int) -> bool:
    return await _is(session, select(Mention.post_id).where(Mention.post_id == post_id,
                                                            Mention.actor_id == actor_id))


async def remote_may_see(session: AsyncSession, post: Post, viewer: Actor | None) -> bool:
    """Whether a remote server fetching as `viewer` (None: unsigned) may see this local post.

    public/unlisted: anyone the author has not blocked; private: accepted followers and
    mentioned actors; direct: mentioned actors; local: nobody, nor replies beneath it; held: nobody.
    """
    if viewer is None:
        return post.visibility in OPEN and not _never_shown(post)
    return viewer.id in await remote_viewers(session, post, [viewer.id])


def _never_shown(post: Post) -> bool:
    return post.visibility == HELD or stays_local(post)


async def remote_viewers(session: AsyncSession, post: Post, actor_ids: list[int]) -> set[int]:
    """Which of these actors may see this local post, as `remote_may_see` decides for one (in one query)."""
    if not actor_ids or _never_shown(post):
        return set()
    blocked = exists().where(Block.actor_id == post.author_id, Block.target_id == Actor.id)
    query = select(Actor.id).where(Actor.id.in_(actor_ids), ~blocked)
    if post.visibility not in OPEN:
        allowed = exists().where(Mention.post_id == post.id, Mention.actor_id == Actor.id)
        if post.visibility == "private":
            allowed = allowed | exists().where(Follow.follower_id == Actor.id, Follow.followed_id == post.author_id,
                                               Follow.state == "accepted")
        query = query.where(Actor.local.is_(False), allowed)
    return set((await session.execute(query)).scalars())


def member_filter(domain: str, instance_actor_uri: str, username: str) -> tuple:
    """WHERE clauses for a local member by username (any case): never the instance actor nor a group (served at
    /groups/), never an account the world may not see (server.services.social.account_publicity)."""
    return (Actor.local.is_(True), Actor.domain == domain, func.lower(Actor.username) == username.lower(),
            Actor.uri != instance_actor_uri, Actor.actor_type != "Group", is_public())


async def find_member(session: AsyncSession, domain: str, instance_actor_uri: str, username: str) -> Actor | None:
    """The local member's actor by username (any case); None for the instance actor and hidden accounts."""
    query = select(Actor).where(*member_filter(domain, instance_actor_uri, username))
    return (await session.execute(query)).scalars().first()
