"""Trends from this instance's own public activity over the last WINDOW_DAYS (Mastodon's /api/v1/trends): the
hashtags most members used, and the posts most favourited and boosted. Only what the whole world may read
counts: members' public posts (never unlisted, followers-only, direct, members-only, in a members-only thread, or
held by the privacy guard), originals rather than boosts, by members the world may see and moderators have not
suspended or limited. Trending posts also leave out replies, posts behind a content warning or marked sensitive,
and authors who chose not to be discoverable, as Mastodon does."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.ids import snowflake_floor
from server.db.models import AccountModeration, Actor, Post, PostTag
from server.db.types import utcnow
from server.services.moderation.hidden_from_viewers import visible_posts
from server.services.reading.timelines import admit
from server.services.social.account_publicity import is_public

WINDOW_DAYS = 7


def _trendable():
    """Conditions on Post (joined with its author, Actor) for a post that counts towards trends."""
    sanctioned = select(AccountModeration.actor_id).where(or_(AccountModeration.suspended_at.is_not(None),
                                                              AccountModeration.limited_at.is_not(None)))
    return (Post.id >= snowflake_floor(utcnow() - timedelta(days=WINDOW_DAYS)), Post.local.is_(True),
            Post.visibility == "public", Post.local_only.is_(False), Post.boost_of_id.is_(None),
            Post.author_id.not_in(sanctioned), is_public())


async def tags(session: AsyncSession, viewer: Actor | None, limit: int, offset: int) -> list[str]:
    """Hashtags by how many members used them, then how often."""
    await admit(session, viewer)
    accounts = func.count(distinct(Post.author_id))
    query = (select(PostTag.tag).join(Post, Post.id == PostTag.post_id).join(Actor, Actor.id == Post.author_id)
             .where(*_trendable()).group_by(PostTag.tag)
             .order_by(accounts.desc(), func.count().desc(), PostTag.tag).offset(offset).limit(limit))
    return list((await session.execute(query)).scalars())


async def statuses(session: AsyncSession, viewer: Actor | None, limit: int, offset: int) -> list[Post]:
    """Posts by favourites and boosts (at least one), newest first among equals; without what `viewer` hid."""
    await admit(session, viewer)
    interest = Post.likes_count + Post.boosts_count
    query = (select(Post).join(Actor, Actor.id == Post.author_id)
             .where(*_trendable(), interest > 0, Post.in_reply_to_uri.is_(None), Post.sensitive.is_(False),
                    or_(Post.summary.is_(None), Post.summary == ""), Actor.discoverable.is_(True))
             .order_by(interest.desc(), Post.id.desc()).offset(offset).limit(limit))
    return await visible_posts(session, list((await session.execute(query)).scalars()), viewer, public=True)
