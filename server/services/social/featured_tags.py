"""Hashtags a member features on their profile (Mastodon's featured tags): shown with how many of their public
and unlisted posts carry each (never counting followers-only, direct or members-only posts), and federated as
the Hashtag objects of their actor's `featuredTags` collection, each change sent to their remote followers as
an Add or Remove of the Hashtag, as Mastodon sends it. The caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from moderation.errors import Kind, ServiceError
from server.convert.featured_tag_to_mastodon import featured_tag_to_as, featured_tags_collection
from server.db.ids import snowflake
from server.db.models import Actor, FeaturedTag, Post, PostTag
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.reading.followed_tags import normalize_tag

MAX_FEATURED_TAGS = 10  # as Mastodon
MAX_SUGGESTIONS = 10
OPEN = ("public", "unlisted")


@dataclass(frozen=True)
class Featured:
    row: FeaturedTag
    statuses_count: int
    last_status_at: datetime | None


def _tagged_posts(actor_id: int):
    """The actor's own public and unlisted posts (not boosts, not in members-only threads) and their tags."""
    return (select(PostTag.tag, Post.id, Post.published).join(Post, Post.id == PostTag.post_id)
            .where(Post.author_id == actor_id, Post.visibility.in_(OPEN), Post.boost_of_id.is_(None),
                   Post.local_only.is_(False)))


async def featured(session: AsyncSession, actor: Actor) -> list[Featured]:
    """The actor's featured tags, most used first (as Mastodon orders them), with their counts."""
    rows = list((await session.execute(select(FeaturedTag).where(FeaturedTag.actor_id == actor.id)
                                       .order_by(FeaturedTag.id))).scalars())
    if not rows:
        return []
    tagged = _tagged_posts(actor.id).where(PostTag.tag.in_([r.tag for r in rows])).subquery()
    counts = {tag: (count, last) for tag, count, last in (await session.execute(
        select(tagged.c.tag, func.count(), func.max(tagged.c.published)).group_by(tagged.c.tag))).all()}
    found = [Featured(r, *counts.get(r.tag, (0, None))) for r in rows]
    return sorted(found, key=lambda f: -f.statuses_count)


async def _send(runtime: Runtime, session: AsyncSession, actor: Actor, row: FeaturedTag, *, added: bool) -> None:
    """Send the actor's remote followers the Add (or Remove) of the featured tag's Hashtag."""
    build, kind = (activities.add, "add") if added else (activities.remove, "remove")
    doc = build(f"{actor.uri}#featured_tags/{row.id}/{kind}", actor.uri, featured_tag_to_as(row, runtime.urls),
                featured_tags_collection(actor.uri))
    await enqueue_activity(session, doc, actor, await remote_followers(session, actor.id))


async def feature(runtime: Runtime, session: AsyncSession, actor: Actor, name: str) -> Featured:
    """Feature hashtag `name` (featuring it again changes nothing); at most MAX_FEATURED_TAGS."""
    tag = normalize_tag(name)
    rows = list((await session.execute(select(FeaturedTag).where(FeaturedTag.actor_id == actor.id))).scalars())
    if not any(r.tag == tag for r in rows):
        if len(rows) >= MAX_FEATURED_TAGS:
            raise ServiceError(f"at most {MAX_FEATURED_TAGS} featured hashtags")
        row = FeaturedTag(id=snowflake(), actor_id=actor.id, tag=tag, name=name.strip().removeprefix("#"),
                          created_at=utcnow())
        session.add(row)
        await session.flush()
        await _send(runtime, session, actor, row, added=True)
    return next(f for f in await featured(session, actor) if f.row.tag == tag)


async def unfeature(runtime: Runtime, session: AsyncSession, actor: Actor, featured_id: int) -> None:
    row = await session.get(FeaturedTag, featured_id)
    if row is None or row.actor_id != actor.id:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    await _send(runtime, session, actor, row, added=False)
    await session.delete(row)
    await session.flush()


async def suggestions(session: AsyncSession, actor: Actor) -> list[str]:
    """The hashtags the actor uses most in their public and unlisted posts and has not featured yet."""
    already = select(FeaturedTag.tag).where(FeaturedTag.actor_id == actor.id)
    tagged = _tagged_posts(actor.id).where(PostTag.tag.not_in(already)).subquery()
    rows = await session.execute(select(tagged.c.tag).group_by(tagged.c.tag)
                                 .order_by(func.count().desc(), tagged.c.tag).limit(MAX_SUGGESTIONS))
    return list(rows.scalars())

