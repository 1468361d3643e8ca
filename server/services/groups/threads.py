"""A group's posts as others read them: all of them (threads and replies) for its outbox, its threads (their first
posts) for the client API, newest first, and one thread's posts for its FEP-7888 `context`, oldest first. Only
public and unlisted posts, and none kept local (but for this instance's members, in the client API)."""
from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.group_to_as import thread_url
from server.convert.post_to_as import InGroup
from server.db.models import Group, GroupPost, Post
from server.db.models.posts import MEMBERS_ONLY
from server.services.groups import states
from server.services.reading.timelines import Page
from server.services.social.visibility_to_servers import OPEN


def _relayed(group: Group, *, members: bool = False):
    shown = (Post.visibility.in_((*OPEN, MEMBERS_ONLY)) if members
             else and_(Post.visibility.in_(OPEN), Post.local_only.is_(False)))
    return (select(Post, GroupPost.announce_uri).join(GroupPost, GroupPost.post_id == Post.id)
            .where(GroupPost.group_id == group.actor_id, shown))


async def relayed_count(session: AsyncSession, group: Group) -> int:
    return int(await session.scalar(select(func.count()).select_from(_relayed(group).subquery())) or 0)


async def relayed(session: AsyncSession, group: Group, page: Page) -> list[tuple[Post, str]]:
    """A page of the posts the group relayed, each with the id of its Announce, newest first."""
    return page.arrange(list((await session.execute(page.apply(_relayed(group), Post.id))).all()))


async def threads(session: AsyncSession, group: Group, page: Page, *, members: bool = False) -> list[Post]:
    """A page of the group's threads (the post that starts each), newest first; for `members` of this instance,
    members-only ones too."""
    query = (_relayed(group, members=members)).where(GroupPost.thread_id == GroupPost.post_id)
    return [post for post, _ in page.arrange(list((await session.execute(page.apply(query, Post.id))).all()))]


async def pinned_threads(session: AsyncSession, group: Group, *, members: bool = False) -> list[Post]:
    """The group's pinned threads, most recently pinned first (listed before the others)."""
    ids = await states.pinned(session, group.actor_id)
    if not ids:
        return []
    query = _relayed(group, members=members).where(GroupPost.thread_id == GroupPost.post_id, Post.id.in_(ids))
    found = {post.id: post for post, _ in (await session.execute(query)).all()}
    return [found[i] for i in ids if i in found]


async def in_group(session: AsyncSession, post_id: int) -> InGroup | None:
    """The group a post is in (the first, should several have taken it) and its thread's context."""
    query = (select(Group, GroupPost.thread_id).join(GroupPost, GroupPost.group_id == Group.actor_id)
             .where(GroupPost.post_id == post_id).order_by(GroupPost.relayed_at).limit(1))
    row = (await session.execute(query)).first()
    if row is None:
        return None
    state = await states.state_of(session, row[1], row[0].actor_id)
    return InGroup(row[0].actor.uri, thread_url(row[0], row[1]), thread_start=row[1] == post_id,
                   locked=state is not None and state.locked, pinned=state is not None and state.pinned_at is not None)


MAX_THREAD = 1000  # posts a context answers (a thread longer than this is cut, newest last)


async def thread(session: AsyncSession, group: Group, thread_id: int) -> list[str] | None:
    """The ids (URIs) of the posts of one thread of the group, oldest first; None when the group has no such
    thread (or none others may read)."""
    query = (select(Post.uri).join(GroupPost, GroupPost.post_id == Post.id)
             .where(GroupPost.group_id == group.actor_id, GroupPost.thread_id == thread_id,
                    Post.visibility.in_(OPEN), Post.local_only.is_(False))
             .order_by(GroupPost.thread_id != GroupPost.post_id, Post.id).limit(MAX_THREAD))
    uris = list((await session.execute(query)).scalars())
    return uris or None


def _boosted_by(group_actor_id: int):
    """The top-level posts a remote group announced (its boosts of them, as the inbox keeps a community's threads)."""
    boosted = select(Post.boost_of_id).where(Post.author_id == group_actor_id, Post.boost_of_id.is_not(None))
    return select(Post).where(Post.id.in_(boosted), Post.in_reply_to_uri.is_(None), Post.visibility.in_(OPEN))


async def remote_threads(session: AsyncSession, group_actor_id: int, page: Page) -> list[Post]:
    """A page of the threads a remote group (a Lemmy community, a group on another Curbside) relayed to us, newest
    first: the posts it announced, less those its moderators removed (our copies are deleted)."""
    return page.arrange(list((await session.execute(page.apply(_boosted_by(group_actor_id), Post.id))).scalars()))


async def remote_pinned_threads(session: AsyncSession, group_actor_id: int) -> list[Post]:
    ids = await states.pinned(session, group_actor_id)
    if not ids:
        return []
    found = {p.id: p for p in (await session.execute(_boosted_by(group_actor_id).where(Post.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]
