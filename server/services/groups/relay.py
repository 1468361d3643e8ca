"""A group's posts and what is done to them, relayed by the group to its followers wrapped in an `Announce` signed
by the group, the activity embedded (FEP-1b12, as Lemmy), from members here and elsewhere alike.

A new post is the group's when it starts a thread (addressed to the group: `to`, `cc`, `audience`, or a mention
of it) or replies to one of the group's posts; an Update, Delete, Like or Undo of a group's post is relayed as
accepted. Only public and unlisted posts are the group's (a followers-only or direct post that names the group is
not the group's to publish), only from those who may post (members, or anyone the join policy would take; a Like
and its Undo likewise), threads only from moderators where posting is restricted to them, and a members-only group
delivers nothing off-instance. Each refusal is logged with its reason."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from federation.addressing import addressees, is_publicly_addressed
from server.convert.group_to_as import thread_url
from server.db.models import Actor, Group, GroupPost, Post
from server.db.models.posts import MEMBERS_ONLY
from server.db.upsert import insert_ignore
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.groups import boosts, joining, registry, states

log = logging.getLogger("curbside.groups")
MAX_ANCESTORS = 64  # replies walked up to find the first post of a thread (each step is a query)

StoredId = Callable[[], Awaitable[int]]  # the id of the post just stored, once it is written


@dataclass(frozen=True)
class Posted:
    """A post just stored, as the Create that carries it (its object embedded, trusted)."""
    create: dict
    author: Actor
    parent_id: int | None  # the stored post it replies to
    stored_id: StoredId
    title: str | None = None  # a Page's `name`

    @property
    def replies(self) -> bool:
        return bool(self.create["object"].get("inReplyTo"))


async def addressed_groups(runtime: Runtime, session: AsyncSession, *docs: dict) -> list[Group]:
    """The groups hosted here that the activity or its object names. Only a name under the groups' path here
    is looked up: most Creates name none, and the inbox runner handles them by the hundred."""
    prefix = runtime.urls.group("")
    named = {uri for uri in set().union(*(addressees(doc) for doc in docs)) if uri.startswith(prefix)}
    if not named:
        return []
    query = (select(Group).join(Actor, Actor.id == Group.actor_id)
             .where(Actor.uri.in_(sorted(named)), Actor.local.is_(True)))
    return list((await session.execute(query)).scalars())


_HOLDING = select(Group, GroupPost).join(GroupPost, GroupPost.group_id == Group.actor_id).where(
    GroupPost.post_id == bindparam("post_id"))  # built once: asked for every Like of a member's post


async def holding(session: AsyncSession, post_id: int | None) -> list[tuple[Group, GroupPost]]:
    """The groups whose post `post_id` is, each with its row (which names the thread)."""
    if post_id is None:
        return []
    return list((await session.execute(_HOLDING, {"post_id": post_id})).all())



async def locked_thread(session: AsyncSession, post_id: int) -> bool:
    """Whether the post is in a thread a group's moderators locked (a group's here, or a remote group's as its
    Lock reached us): a reply to it, or to any reply in it, is refused. The thread's first post is walked up to
    (at most MAX_ANCESTORS replies up)."""
    for group, row in await holding(session, post_id):
        if await states.is_locked(session, row.thread_id, group.actor_id):
            return True
    post = await session.get(Post, post_id)
    for _ in range(MAX_ANCESTORS):
        if post is None:
            return False
        if await states.is_locked(session, post.id):
            return True
        if post.in_reply_to_id is None:
            return False
        post = await session.get(Post, post.in_reply_to_id)
    return False


def announce_id(group: Group, activity_id: str) -> str:
    """One Announce per relayed activity (stable: a repeated delivery queues nothing new)."""
    return f"{group.actor.uri}/activities/announce/{hashlib.sha256(activity_id.encode()).hexdigest()[:32]}"


async def announce(session: AsyncSession, group: Group, activity: dict, thread_id: int | None) -> int:
    """The group's Announce of `activity` (about a post of thread `thread_id`, or None: about no post) to its
    remote followers; a members-only group's to no one."""
    if group.members_only:
        return 0  # never leaves the instance
    wrapped = activities.group_announce(announce_id(group, activity["id"]), group.actor.uri,
                                        group.actor.followers_url, activity,
                                        thread_url(group, thread_id) if thread_id is not None else None)
    return await enqueue_activity(session, wrapped, group.actor, await remote_followers(session, group.actor_id))


async def _refusal(runtime: Runtime, session: AsyncSession, group: Group, author: Actor, *,
                   starts_thread: bool, thread_id: int | None = None) -> str | None:
    if await states.is_banned(session, group.actor_id, author.id):
        return "banned from the group"
    if thread_id is not None and await states.is_locked(session, thread_id, group.actor_id):
        return "the thread is locked"
    if starts_thread and group.posting_restricted_to_mods and not await registry.moderates(session, group, author):
        return "only its moderators start threads (postingRestrictedToMods)"
    allowed = await joining.may_post(runtime, session, group, author)
    return allowed.text if allowed.refused else None


async def keep(session: AsyncSession, group: Group, post_id: int, thread_id: int | None, *, announce_of: str,
               title: str | None = None) -> None:
    """Record the post as the group's, in thread `thread_id` (None: it starts one)."""
    await insert_ignore(session, GroupPost, [{"group_id": group.actor_id, "post_id": post_id,
                                              "thread_id": thread_id or post_id, "announce_uri": announce_of,
                                              "title": title if thread_id is None else None}])


async def _take(runtime: Runtime, session: AsyncSession, group: Group, new: Posted, thread_id: int | None) -> int:
    refusal = await _refusal(runtime, session, group, new.author, starts_thread=thread_id is None,
                             thread_id=thread_id)
    if refusal is not None:
        log.info("group %s: not relaying %s by %s: %s", group.actor.username, new.create["id"], new.author.uri,
                 refusal)
        return 0
    post_id = await new.stored_id()
    announce_of = announce_id(group, new.create["id"])
    await keep(session, group, post_id, thread_id, announce_of=announce_of, title=new.title)
    if thread_id is None:
        await boosts.boost_thread(session, group, post_id, announce_of)
    return await announce(session, group, new.create, thread_id or post_id)


def _threads_for(addressed: list[Group], in_thread: list[tuple[Group, GroupPost]], *, replies: bool,
                 what: str) -> list[tuple[Group, int | None]]:
    """(group, the thread the post joins, None for a new one): the threads of the parent's groups, and a new
    thread in each other group addressed, unless the post is a reply (to a post not in that group)."""
    joined = {group.actor_id: (group, row.thread_id) for group, row in in_thread}
    for group in addressed:
        if group.actor_id in joined:
            continue
        if replies:
            log.info("group %s: not relaying %s: it replies to a post not in the group", group.actor.username, what)
            continue
        joined[group.actor_id] = (group, None)
    return list(joined.values())


async def relay_new_post(runtime: Runtime, session: AsyncSession, new: Posted) -> int:
    """Keep a new post as the post of each group here it starts a thread in or replies in, and relay its Create
    to their followers; returns the deliveries queued. The caller commits."""
    note = new.create["object"]
    in_thread = await holding(session, new.parent_id)
    addressed = await addressed_groups(runtime, session, new.create, note)
    if not (in_thread or addressed):
        return 0
    if not is_publicly_addressed(note):
        names = ", ".join(g.actor.username for g in [*addressed, *(g for g, _ in in_thread)])
        log.info("not relaying %s to %s: only public posts are relayed", new.create["id"], names)
        return 0
    embedded = {**{k: v for k, v in new.create.items() if k != "@context"}, "object": note}
    new = Posted(embedded, new.author, new.parent_id, new.stored_id, new.title)
    return sum([await _take(runtime, session, group, new, thread_id)
                for group, thread_id in _threads_for(addressed, in_thread, replies=new.replies, what=new.create["id"])])


async def keep_members_only(runtime: Runtime, session: AsyncSession, post: Post, mentioned: list[Actor]) -> None:
    """A members-only post of a member that mentions a group here or replies in one of its threads is kept as the
    group's (for the members here: nothing of it leaves the instance), by the same rules as a relayed post."""
    if post.visibility != MEMBERS_ONLY:
        return  # followers-only and direct posts are not the group's
    groups = [await session.get(Group, a.id) for a in mentioned if a.local and a.actor_type == "Group"]
    in_thread = await holding(session, post.in_reply_to_id)
    for group, thread_id in _threads_for([g for g in groups if g is not None], in_thread,
                                         replies=post.in_reply_to_id is not None, what=post.uri):
        refusal = await _refusal(runtime, session, group, post.author, starts_thread=thread_id is None,
                                 thread_id=thread_id)
        if refusal is not None:
            log.info("group %s: not keeping %s by %s: %s", group.actor.username, post.uri, post.author.uri, refusal)
            continue
        await keep(session, group, post.id, thread_id, announce_of=announce_id(group, post.uri))


async def relay_about(runtime: Runtime, session: AsyncSession, activity: dict, post_id: int, actor: Actor) -> int:
    """Relay an accepted Update, Delete, Like or Undo (of a Like) of the post `post_id` by `actor` to the followers
    of each group whose post it is (a Like or its Undo only from one who may post there); before a Delete removes
    the post.
    Returns the deliveries queued; the caller commits."""
    queued = 0
    for group, row in await holding(session, post_id):
        if activity["type"] in ("Like", "Undo") and (refusal := await _refusal(runtime, session, group, actor,
                                                                                starts_thread=False)):
            log.info("group %s: not relaying %s by %s: %s", group.actor.username, activity["id"], actor.uri, refusal)
            continue
        queued += await announce(session, group, activity, row.thread_id)
    return queued
