"""Groups as people browse them (the web UI): the directory (groups hosted here, and the groups elsewhere that
members here follow, read through our copies), a group's threads by latest activity, and one thread's posts.

What a viewer may read: a members-only group and its threads are for this instance's members only (a visitor
is told nothing of them); a group elsewhere is shown to members only (which groups members follow is theirs).
Posts themselves are filtered by the same visibility rules as every page (server.services.reading)."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor, Follow, Group, GroupPost, GroupThreadState, Post
from server.db.models.posts import MEMBERS_ONLY
from server.services.accounts.specialties import specialty_name
from server.services.cases.lookup import cases_of
from server.services.groups import registry, states
from server.services.reading import timelines as reading
from server.services.social.visibility_to_servers import OPEN, follower_count
from server.services.social.visibility_to_viewers import may_see

THREADS_SHOWN = 50  # threads a group page lists
MAX_DEPTH = 5  # replies deeper than this are shown at this depth (a long back-and-forth stays readable)
MAX_TITLE = 100


@dataclass(frozen=True)
class Listing:
    """One group of the directory: hosted here (`group`) or elsewhere (`group` None)."""
    actor: Actor
    group: Group | None
    members: int  # its members; of a group elsewhere, the members here who follow it
    specialties: list[tuple[str, str]]  # (NUCC code, name)

    @property
    def join(self) -> str | None:
        return self.group.join_policy if self.group else None

    @property
    def members_only(self) -> bool:
        return bool(self.group and self.group.members_only)

    @property
    def handle(self) -> str:
        """How the web UI's paths name it: NAME here, NAME@DOMAIN elsewhere."""
        return self.actor.username if self.actor.local else f"{self.actor.username}@{self.actor.domain}"


def _named(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, specialty_name(code) or code) for code in codes]


async def _local_listings(session: AsyncSession, *, member: bool) -> list[Listing]:
    return [Listing(g.actor, g, await follower_count(session, g.actor_id), _named(g.specialties))
            for g in await registry.list_groups(session) if member or not g.members_only]


def _followed_here():
    return exists().where(Follow.followed_id == Actor.id, Follow.state == "accepted",
                          Follow.follower_id.in_(select(Account.actor_id)))


async def _remote_listings(session: AsyncSession) -> list[Listing]:
    query = (select(Actor).where(Actor.actor_type == "Group", Actor.local.is_(False), _followed_here())
             .order_by(func.lower(Actor.username)))
    actors = list((await session.execute(query)).scalars())
    return [Listing(a, None, await _local_followers(session, a), []) for a in actors]


async def _local_followers(session: AsyncSession, actor: Actor) -> int:
    query = (select(func.count()).select_from(Follow).join(Account, Account.actor_id == Follow.follower_id)
             .where(Follow.followed_id == actor.id, Follow.state == "accepted"))
    return int(await session.scalar(query) or 0)


async def directory(session: AsyncSession, *, member: bool, specialty: str | None = None) -> list[Listing]:
    """The groups a viewer may see (`member`: signed in here), those of `specialty` alone when given (groups
    elsewhere carry no specialty codes, so a filter leaves them out)."""
    listings = await _local_listings(session, member=member)
    if specialty:
        return [entry for entry in listings if specialty in dict(entry.specialties)]
    return listings + (await _remote_listings(session) if member else [])


async def specialties_in_use(session: AsyncSession, *, member: bool) -> list[tuple[str, str]]:
    """(code, name) of the specialties of the groups a viewer may see, by name."""
    codes = {code for entry in await _local_listings(session, member=member) for code, _ in entry.specialties}
    return sorted(_named(sorted(codes)), key=lambda pair: pair[1].lower())


async def find(session: AsyncSession, domain: str, handle: str, *, member: bool) -> Listing | None:
    """The group the web UI's path names (NAME here, NAME@DOMAIN elsewhere) if the viewer may see it."""
    name, _, host = handle.partition("@")
    if not host or host.lower() == domain.lower():
        group = await registry.group_named(session, domain, name)
        if group is None or (group.members_only and not member):
            return None
        return Listing(group.actor, group, await follower_count(session, group.actor_id), _named(group.specialties))
    if not member:
        return None
    query = select(Actor).where(Actor.actor_type == "Group", Actor.local.is_(False),
                                func.lower(Actor.domain) == host.lower(), func.lower(Actor.username) == name.lower())
    actor = (await session.execute(query.order_by(Actor.id).limit(1))).scalars().first()
    return Listing(actor, None, await _local_followers(session, actor), []) if actor is not None else None


# --- threads ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marks:
    """What moderation (states: pinned, locked) and cases (resolved) record on a thread."""
    pinned: bool = False
    locked: bool = False
    resolved: bool = False


async def marks_of(session: AsyncSession, thread_ids: list[int]) -> dict[int, Marks]:
    """The marks of these threads (by their first post's id), in two queries whatever their number; a thread with
    none is absent."""
    found = await states.states(session, thread_ids)
    cases = await cases_of(session, thread_ids)
    return {i: Marks(pinned=i in found and found[i].pinned_at is not None, locked=i in found and found[i].locked,
                     resolved=i in cases and cases[i].state == "resolved")
            for i in set(found) | set(cases)}


@dataclass(frozen=True)
class ThreadSummary:
    post: Post  # the thread's first post
    title: str
    last_activity: datetime
    replies: int
    marks: Marks = field(default_factory=Marks)


def title_of(post: Post, stored: str | None = None) -> str:
    """A thread's title: as given (a Lemmy Page's name, our form's title), else its first line."""
    if stored:
        return stored
    text = html.unescape(re.sub(r"<[^>]+>", "\n", (post.content_html or "").replace("<br", "\n<br")))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= MAX_TITLE else first[:MAX_TITLE - 1] + "…"


def _shown(members: bool):
    return (Post.visibility.in_((*OPEN, MEMBERS_ONLY)) if members
            else and_(Post.visibility.in_(OPEN), Post.local_only.is_(False)))


async def _local_threads(session: AsyncSession, group: Group, *, member: bool) -> list[ThreadSummary]:
    activity = (select(GroupPost.thread_id, func.max(Post.published).label("last"), func.count().label("posts"))
                .join(Post, Post.id == GroupPost.post_id)
                .where(GroupPost.group_id == group.actor_id, _shown(member)).group_by(GroupPost.thread_id)
                .subquery())
    query = (select(Post, GroupPost, activity.c.last, activity.c.posts)
             .join(GroupPost, and_(GroupPost.post_id == Post.id, GroupPost.group_id == group.actor_id))
             .join(activity, activity.c.thread_id == Post.id)
             .outerjoin(GroupThreadState, GroupThreadState.post_id == Post.id)
             .where(GroupPost.thread_id == GroupPost.post_id, _shown(member))
             # pinned ones first, in the query: an old pinned thread is not cut by the limit
             .order_by(GroupThreadState.pinned_at.is_(None), activity.c.last.desc(), Post.id.desc())
             .limit(THREADS_SHOWN))
    rows = list(await session.execute(query))
    marks = await marks_of(session, [post.id for post, *_ in rows])
    return [ThreadSummary(post, title_of(post, row.title), last or post.published, posts - 1,
                          marks.get(post.id, Marks())) for post, row, last, posts in rows]


async def _remote_threads(session: AsyncSession, actor: Actor, viewer: Actor | None) -> list[ThreadSummary]:
    """A group elsewhere: the first posts it announced (stored as its boosts), latest first."""
    boosted = (select(Post.boost_of_id).where(Post.author_id == actor.id, Post.boost_of_id.is_not(None))
               .order_by(Post.id.desc()).limit(THREADS_SHOWN))
    ids = list((await session.execute(boosted)).scalars())
    pinned = [i for i in await states.pinned(session, actor.id) if i not in ids]  # as its Add reached us
    posts = [p for p in [await session.get(Post, i) for i in pinned + ids] if p is not None]
    marks = await marks_of(session, [p.id for p in posts])
    return [ThreadSummary(p, title_of(p), p.published, p.replies_count or 0, marks.get(p.id, Marks()))
            for p in posts if p.in_reply_to_id is None and await may_see(session, p, viewer)]


async def threads(session: AsyncSession, listing: Listing, viewer: Actor | None) -> list[ThreadSummary]:
    """The group's threads the viewer may read, latest activity first and pinned ones on top. Raises
    reading.MembersOnly for a visitor of a community closed to visitors."""
    await reading.admit(session, viewer)
    found = (await _local_threads(session, listing.group, member=viewer is not None) if listing.group
             else await _remote_threads(session, listing.actor, viewer))
    return sorted(found, key=lambda t: not t.marks.pinned)  # stable: the activity order stays within each


# --- one thread ------------------------------------------------------------------------------------

@dataclass
class Node:
    post: Post
    depth: int
    children: list[Node] = field(default_factory=list)
    above: Node | None = field(default=None, repr=False)  # the node it sits under in the tree


@dataclass(frozen=True)
class Thread:
    first: Post
    title: str
    replies: list[Node]  # the replies to the first post, each with its own, nested
    marks: Marks
    posts: list[Post]  # every post shown, in reading order (for rendering them at once)


async def _first_post(session: AsyncSession, listing: Listing, thread_id: int,
                      viewer: Actor | None) -> tuple[Post, GroupPost | None] | None:
    post = await session.get(Post, thread_id)
    if post is None or post.boost_of_id is not None or not await may_see(session, post, viewer):
        return None
    if listing.group is not None:
        row = await session.get(GroupPost, (listing.group.actor_id, thread_id))
        return (post, row) if row is not None and row.thread_id == thread_id else None
    announced = await session.scalar(select(Post.id).where(Post.author_id == listing.actor.id,
                                                           Post.boost_of_id == thread_id).limit(1))
    return (post, None) if announced is not None and post.in_reply_to_id is None else None


def nest(first_id: int, replies: list[Post]) -> list[Node]:
    """Replies as a tree under the thread's first post by `in_reply_to`, at most MAX_DEPTH deep: a reply to one
    at the deepest level sits beside it; a reply whose parent is not shown sits under the first post."""
    nodes: dict[int, Node] = {}
    top: list[Node] = []
    for post in replies:
        parent = nodes.get(post.in_reply_to_id) if post.in_reply_to_id != first_id else None
        if parent is not None and parent.depth >= MAX_DEPTH:
            parent = parent.above  # beside it, under the same node
        node = Node(post, parent.depth + 1 if parent else 1, above=parent)
        nodes[post.id] = node
        (parent.children if parent else top).append(node)
    return top


async def thread(session: AsyncSession, listing: Listing, thread_id: int, viewer: Actor | None) -> Thread | None:
    """One thread of the group as the viewer may read it, or None (no such thread, or not for this viewer).
    Raises reading.MembersOnly for a visitor of a community closed to visitors."""
    await reading.admit(session, viewer)
    found = await _first_post(session, listing, thread_id, viewer)
    if found is None:
        return None
    first, row = found
    _, replies = await reading.thread(session, first, viewer)
    if listing.group is not None:  # a reply its moderators removed is no longer the group's, though its author's
        kept = set((await session.execute(select(GroupPost.post_id).where(
            GroupPost.group_id == listing.group.actor_id, GroupPost.thread_id == first.id))).scalars())
        replies = [r for r in replies if r.id in kept]
    marks = (await marks_of(session, [first.id])).get(first.id, Marks())
    return Thread(first, title_of(first, row.title if row else None), nest(first.id, replies), marks,
                  [first, *replies])
