"""Hashtags members follow (new public posts carrying them reach their home timelines: see
server.services.posts.fanout), and the Tag entity the client API and the web UI show for a hashtag.

Names are kept as post_tags keeps them: lowercased, without '#'.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.text import HASHTAG_NAME_RE
from moderation.errors import ServiceError
from server.db.ids import snowflake, snowflake_floor
from server.db.models import Post, PostTag, TagFollow
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.i18n import N_
from server.services.reading.timelines import Page
from server.urls import LocalUrls

MAX_TAG_LENGTH = 128  # post_tags.tag
HISTORY_DAYS = 7
OPEN = ("public", "unlisted")


def normalize_tag(raw: str) -> str:
    """The stored form of a hashtag name (one leading '#' allowed), or ServiceError."""
    name = (raw or "").strip().removeprefix("#")
    if not name:
        raise ServiceError(N_("a hashtag name is required"))
    if len(name) > MAX_TAG_LENGTH:
        raise ServiceError(N_("a hashtag is at most %(limit)s characters long"), values={"limit": MAX_TAG_LENGTH})
    if not HASHTAG_NAME_RE.match(name):
        raise ServiceError(N_("%(name)s is not a hashtag: letters, digits and underscores, not only digits"),
                           values={"name": repr(name)})
    return name.lower()


async def follow_tag(session: AsyncSession, actor_id: int, tag: str) -> None:
    """Follow `tag` (normalised); following it again changes nothing. The caller commits."""
    await insert_ignore(session, TagFollow, [{"id": snowflake(), "actor_id": actor_id, "tag": tag,
                                             "created_at": utcnow()}])


async def unfollow_tag(session: AsyncSession, actor_id: int, tag: str) -> None:
    """Stop following `tag`: later posts no longer arrive (those already in the timeline stay, as on Mastodon)."""
    await session.execute(delete(TagFollow).where(TagFollow.actor_id == actor_id, TagFollow.tag == tag))


async def following(session: AsyncSession, actor_id: int, tags: list[str]) -> set[str]:
    """Which of `tags` the member follows."""
    if not tags:
        return set()
    rows = await session.execute(select(TagFollow.tag).where(TagFollow.actor_id == actor_id, TagFollow.tag.in_(tags)))
    return set(rows.scalars())


async def followed_page(session: AsyncSession, actor_id: int, page: Page) -> list[TagFollow]:
    """A page of the member's followed tags, newest follow first, paged by the follow's id."""
    query = page.apply(select(TagFollow).where(TagFollow.actor_id == actor_id), TagFollow.id)
    return page.arrange(list((await session.execute(query)).scalars()))


def _midnights(now: datetime) -> list[datetime]:
    today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return [today - timedelta(days=n) for n in range(HISTORY_DAYS)]


async def history(session: AsyncSession, tags: list[str], *, member: bool,
                  now: datetime | None = None) -> dict[str, list[dict]]:
    """Each tag's daily uses (posts) and accounts (authors) over the last 7 days, today first, as Mastodon
    gives them (strings). One query: post ids are time-ordered, so each day is a range of the
    (tag, post_id) index. Only posts anyone asking may see are counted (members-only ones for members)."""
    days = _midnights(now or datetime.now(timezone.utc))
    counts: dict[tuple[str, int], tuple[int, int]] = {}
    if tags:
        bounds = [snowflake_floor(day) for day in days]
        # grouped by its label: the CASE repeated in GROUP BY would carry other bind parameters
        bucket = case(*((PostTag.post_id >= bound, n) for n, bound in enumerate(bounds))).label("day")
        shown = (*OPEN, "local") if member else OPEN
        rows = await session.execute(
            select(PostTag.tag, bucket, func.count(), func.count(distinct(Post.author_id)))
            .join(Post, Post.id == PostTag.post_id)
            .where(PostTag.tag.in_(tags), PostTag.post_id >= bounds[-1], Post.visibility.in_(shown),
                   Post.boost_of_id.is_(None))
            .group_by(PostTag.tag, "day"))
        counts = {(tag, n): (uses, accounts) for tag, n, uses, accounts in rows.all()}
    return {tag: [{"day": str(int(day.timestamp())), "uses": str(counts.get((tag, n), (0, 0))[0]),
                   "accounts": str(counts.get((tag, n), (0, 0))[1])} for n, day in enumerate(days)]
            for tag in tags}


async def tag_entities(session: AsyncSession, urls: LocalUrls, tags: list[str], viewer_id: int | None) -> list[dict]:
    """Mastodon Tag entities {name, url, history, following}; `following` only for a member viewer."""
    used = await history(session, tags, member=viewer_id is not None)
    followed = await following(session, viewer_id, tags) if viewer_id is not None else set()
    entities = [{"name": tag, "url": urls.tag(tag), "history": used[tag]} for tag in tags]
    if viewer_id is not None:
        for entity in entities:
            entity["following"] = entity["name"] in followed
    return entities
