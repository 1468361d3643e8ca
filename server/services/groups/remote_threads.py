"""The remote group (a Lemmy or Mbin community, a group on another Curbside, ...) whose thread a post is in, so that
what members here do there reaches the group as Lemmy and Mbin expect: a Like (and its Undo) of a post in the thread
and a reply in it (its Create, Update and Delete) are sent to the group too, with the group as their FEP-1b12
`audience`, and the group relays them to its followers. A group is known for a thread only as the thread says so:
named in the `to`/`cc` of a post of it (Lemmy's Page and comments, Mastodon-style mentions); a Group's announce of
its first post alone is not enough (anyone may announce a public post). Only public and unlisted posts are a
group's: a followers-only or direct post never is, whatever it replies to, so its audience is never widened to a
group."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.post_to_as import InGroup
from server.db.models import Actor, Post
from server.db.models.posts import stays_local

OPEN = ("public", "unlisted")
MAX_ANCESTORS = 50  # a thread deeper than this is looked at no further up (each step is a query)


def _is_a_groups(post: Post) -> bool:
    return post.visibility in OPEN and not stays_local(post)


async def thread_group(session: AsyncSession, post: Post | None) -> Actor | None:
    """The remote Group whose thread `post` is in (the nearest named going up the replies), or None; None too when
    `post` or a post above it is not public or unlisted."""
    for _ in range(MAX_ANCESTORS):
        if post is None or not _is_a_groups(post):
            return None
        if (group := await _named_by(session, post)) is not None:
            return group
        if post.in_reply_to_id is None:
            return None  # a Group's announce of the first post alone proves nothing
        post = await session.get(Post, post.in_reply_to_id)
    return None


async def reply_group(session: AsyncSession, reply: Post) -> Actor | None:
    """The remote Group a reply (a member's, stored) is addressed to as a reply in its thread."""
    return None if reply.in_reply_to_id is None else await thread_group(session, reply)


async def in_remote_group(session: AsyncSession, reply: Post) -> InGroup | None:
    """The `audience` a reply's activities carry (its thread's FEP-7888 `context` is the remote group's to name)."""
    group = await reply_group(session, reply)
    return InGroup(group.uri) if group is not None else None


async def _named_by(session: AsyncSession, post: Post) -> Actor | None:
    named = [uri for uri in (*(post.to or ()), *(post.cc or ())) if isinstance(uri, str)]
    if not named:
        return None
    query = select(Actor).where(Actor.uri.in_(named), Actor.actor_type == "Group", Actor.local.is_(False))
    return (await session.execute(query.limit(1))).scalars().first()
