"""Finding statuses by their words and hashtags by their names, for /api/v2/search.

Which statuses a member's search may find, as on Mastodon 4.2+:
- public posts (and, here, members-only posts) of accounts that opted in with `indexable`, local or remote
  (a remote actor's `toot:indexable`; absent means no);
- any post the member wrote, favourited, boosted, bookmarked or was mentioned in.
Unlisted, followers-only and direct posts of others are found only through the second rule. Then
every result must be one the member may see (server.services.social.visibility_to_viewers.may_see, written here in SQL
and checked again per post) and not hidden by moderation (services.moderation.hidden_from_viewers, as on the
public timelines: suspended and limited accounts and domains, blocks both ways, mutes, the member's
domain blocks). Anonymous callers find no statuses by their words, as on Mastodon.

Results come newest first; max_id/min_id bound them, offset skips within them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.db.fulltext import Terms, plan_for_these_words, query_text, restrict
from server.db.models import AccountModeration, Actor, Bookmark, Follow, Like, Mention, Post, PostTag
from server.services.moderation.hidden_from_viewers import viewpoint, visible_posts
from server.services.social.visibility_to_viewers import may_see

MAX_OFFSET = 1000
MAX_ROUNDS = 5  # rounds of re-reading when per-post checks drop candidates (domain policies)
OPEN = ("public", "unlisted")


@dataclass(frozen=True)
class StatusSearch:
    terms: Terms
    account_id: int | None = None
    max_id: int | None = None
    min_id: int | None = None
    offset: int = 0
    limit: int = 20


def searchable(viewer: ColumnElement) -> ColumnElement:
    """Posts a member's search may find before visibility: opted-in public posts, and their own
    posts and those they favourited, boosted, bookmarked or were mentioned in."""
    boost = aliased(Post)
    return or_(
        and_(Post.visibility.in_(("public", "local")),
             Post.author_id.in_(select(Actor.id).where(Actor.indexable.is_(True)))),
        Post.author_id == viewer,
        Post.id.in_(select(Like.post_id).where(Like.actor_id == viewer)),
        Post.id.in_(select(Bookmark.post_id).where(Bookmark.actor_id == viewer)),
        Post.id.in_(select(Mention.post_id).where(Mention.actor_id == viewer)),
        Post.id.in_(select(boost.boost_of_id).where(boost.author_id == viewer, boost.boost_of_id.is_not(None))),
    )


def seen_by(viewer: ColumnElement) -> ColumnElement:
    """access.may_see for a member, in SQL: open and members-only posts, their own, followers-only
    posts of those they follow (accepted), and direct posts that mention them."""
    return or_(
        Post.visibility.in_((*OPEN, "local")),
        Post.author_id == viewer,
        and_(Post.visibility == "private", exists(select(Follow.id).where(
            Follow.follower_id == viewer, Follow.followed_id == Post.author_id, Follow.state == "accepted"))),
        and_(Post.visibility == "direct", exists(select(Mention.post_id).where(
            Mention.post_id == Post.id, Mention.actor_id == viewer))),
    )


@lru_cache(maxsize=2)  # a constant per dialect
def _base(dialect: str) -> tuple[Select, ColumnElement]:
    """The candidates (parameters: viewer_id, hidden, fts), built once per engine, and the id column to
    order and page them by (see fulltext.restrict)."""
    viewer = bindparam("viewer_id")
    suspended = select(AccountModeration.actor_id).where(AccountModeration.suspended_at.is_not(None))
    query = select(Post).where(Post.boost_of_id.is_(None), searchable(viewer), seen_by(viewer),
                               Post.author_id.not_in(suspended),
                               Post.author_id.not_in(bindparam("hidden", expanding=True)))
    return restrict(dialect, query)


def _query(dialect: str, search: StatusSearch) -> tuple[Select, ColumnElement]:
    query, order = _base(dialect)
    if search.account_id is not None:
        query = query.where(Post.author_id == search.account_id)
    if search.max_id is not None:
        query = query.where(order < search.max_id)
    if search.min_id is not None:
        query = query.where(order > search.min_id)
    return query.order_by(order.desc()), order


async def search_statuses(session: AsyncSession, viewer: Actor, search: StatusSearch) -> list[Post]:
    """The page of statuses matching `search` that `viewer` may find (see the module's docstring)."""
    if not search.terms or search.offset > MAX_OFFSET:
        return []
    view = await viewpoint(session, viewer)
    dialect = session.bind.dialect.name
    query, order = _query(dialect, search)
    params = {"viewer_id": viewer.id, "hidden": sorted((view.blocked_ids | view.muted_ids) - {viewer.id}),
              "fts": query_text(dialect, search.terms)}
    wanted = search.offset + search.limit
    found: list[Post] = []
    before: int | None = None
    await plan_for_these_words(session)
    for _ in range(MAX_ROUNDS):
        page = query if before is None else query.where(order < before)
        rows = list((await session.execute(page.limit(wanted), params)).scalars())
        kept = await visible_posts(session, rows, viewer, public=True, view=view)
        found += [p for p in kept if await may_see(session, p, viewer)]
        if len(found) >= wanted or len(rows) < wanted:
            break
        before = rows[-1].id
    return found[search.offset:wanted]


def _tag_name(query: str) -> str | None:
    name = query.strip().lstrip("#").lower()
    return name if name and all(c.isalnum() or c == "_" for c in name) else None


async def search_hashtags(session: AsyncSession, viewer: Actor | None, query: str, *, limit: int,
                          offset: int = 0) -> list[str]:
    """Hashtags starting with `query`, most used first, counting only posts anyone may see (open
    posts; members-only ones too for a member): a tag used only in private posts is never revealed."""
    name = _tag_name(query)
    if name is None:
        return []
    shown = (*OPEN, "local") if viewer is not None else OPEN
    rows = await session.execute(
        select(PostTag.tag, func.count()).join(Post, Post.id == PostTag.post_id)
        .where(PostTag.tag.startswith(name, autoescape=True), Post.visibility.in_(shown))
        .group_by(PostTag.tag).order_by(func.count().desc(), PostTag.tag).offset(offset).limit(limit))
    return [tag for tag, _ in rows.all()]
