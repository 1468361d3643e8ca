"""Moderators of a group hosted here act on it: remove a thread or reply, lock and unlock a thread, pin and unpin
it, ban and unban an actor. The one way to do it (client API, web UI): each function checks the moderator (one of
the group's, or an admin), writes, audits, and queues what federates, as Lemmy does: the moderator's activity
(`Delete` of the post for a removal, `Lock`, `Add`/`Remove` with the featured collection as target, `Block` with the
group as target, `Undo` to take back a lock or a ban) announced by the group to its followers; a ban also goes to
the banned actor. A members-only group sends nothing off-instance (relay.announce). The caller commits."""
from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from moderation.errors import Kind, ServiceError
from server.convert.group_to_as import featured_url
from server.db.ids import snowflake
from server.db.models import Actor, Follow, Group, GroupBan, GroupPost, Post, Report
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from server.services.federation.inbox.posts import remove_post
from server.services.groups import registry, relay, states
from server.services.moderation import audit
from server.services.reading import stream_events

log = logging.getLogger("curbside.groups")
MAX_REASON = 1000


async def check_moderator(session: AsyncSession, group: Group, by: Actor) -> None:
    """A ServiceError (forbidden, with the reason) unless `by` moderates the group or is an admin."""
    if not await registry.moderates(session, group, by):
        raise ServiceError(N_("only the group's moderators and admins may do this"), Kind.FORBIDDEN)


async def _group_post(session: AsyncSession, group: Group, post_id: int) -> tuple[Post, GroupPost]:
    row = await session.get(GroupPost, (group.actor_id, post_id))
    post = await session.get(Post, post_id) if row is not None else None
    if post is None:
        raise ServiceError(N_("the group has no post %(id)s"), Kind.NOT_FOUND, values={"id": str(post_id)})
    return post, row


async def _thread(session: AsyncSession, group: Group, post_id: int) -> tuple[Post, GroupPost]:
    post, row = await _group_post(session, group, post_id)
    if row.thread_id != row.post_id:
        raise ServiceError(N_("post %(id)s is a reply: only a thread can be locked or pinned"),
                           values={"id": str(post_id)})
    return post, row


def _reason(reason: str | None) -> str:
    if reason is not None and len(reason) > MAX_REASON:
        raise ServiceError(N_("the reason is at most %(limit)s characters"), values={"limit": MAX_REASON})
    return (reason or "").strip()


def _id(runtime: Runtime, by: Actor, kind: str) -> str:
    return runtime.urls.activity(by.uri, kind, snowflake())


async def _log(session: AsyncSession, by: Actor, action: str, group: Group, reason: str, **details: str) -> None:
    await audit.record(session, by, action, "group", group.actor.acct, reason, details)


async def remove(runtime: Runtime, session: AsyncSession, group: Group, post_id: int, *, by: Actor,
                 reason: str | None = None) -> None:
    """Remove a thread (with its replies) or a reply from the group: a `Delete` of it by the moderator, announced
    (Lemmy's removal). Our copy of a remote post is deleted; a member's own post here stays theirs, but no longer
    the group's."""
    await check_moderator(session, group, by)
    why = _reason(reason)
    post, row = await _group_post(session, group, post_id)
    removal = activities.group_moderation("Delete", _id(runtime, by, "removes"), by.uri, post.uri, group.actor.uri,
                                          summary=why)
    await relay.announce(session, group, removal, row.thread_id)
    detached = GroupPost.thread_id == post.id if row.thread_id == post.id else GroupPost.post_id == post.id
    await session.execute(delete(GroupPost).where(GroupPost.group_id == group.actor_id, detached))
    boost = await session.scalar(select(Post).where(Post.author_id == group.actor_id, Post.boost_of_id == post.id))
    if boost is not None:  # the group's boost of the thread (boosts.boost_thread): out of its members' homes
        await remove_post(session, boost)
    if not post.local:
        await remove_post(session, post)
    await _log(session, by, "group_post_removed", group, why, post=post.uri)


async def set_locked(runtime: Runtime, session: AsyncSession, group: Group, post_id: int, locked: bool, *,
                     by: Actor, reason: str | None = None) -> None:
    """Lock a thread (its replies refused from now on; `commentsEnabled: false` on its Page) or unlock it."""
    await check_moderator(session, group, by)
    why = _reason(reason)
    post, row = await _thread(session, group, post_id)
    if not await states.set_locked(session, group.actor_id, post.id, locked):
        return  # as it was: nothing to tell anyone
    await stream_events.post_edited(session, post)  # its served Page (commentsEnabled) changed: caches forget it
    lock = activities.group_moderation("Lock", _id(runtime, by, "locks"), by.uri, post.uri, group.actor.uri,
                                       summary=why)
    sent = lock if locked else activities.group_undo(_id(runtime, by, "undo"), by.uri, lock, group.actor.uri)
    await relay.announce(session, group, sent, row.thread_id)
    await _log(session, by, "group_thread_locked" if locked else "group_thread_unlocked", group, why, post=post.uri)


async def set_pinned(runtime: Runtime, session: AsyncSession, group: Group, post_id: int, pinned: bool, *,
                     by: Actor) -> None:
    """Pin a thread (into the group's `featured`, listed first) or unpin it: `Add`/`Remove`, target featured."""
    await check_moderator(session, group, by)
    post, row = await _thread(session, group, post_id)
    if not await states.set_pinned(session, group.actor_id, post.id, pinned):
        return
    await stream_events.post_edited(session, post)  # its Page's `stickied` changed
    kind = "Add" if pinned else "Remove"
    sent = activities.group_moderation(kind, _id(runtime, by, kind.lower() + "s"), by.uri, post.uri,
                                       group.actor.uri, target=featured_url(group))
    await relay.announce(session, group, sent, row.thread_id)
    await _log(session, by, "group_thread_pinned" if pinned else "group_thread_unpinned", group, "", post=post.uri)


def _block(runtime: Runtime, group: Group, by: Actor, target: Actor, reason: str) -> dict:
    return activities.group_moderation("Block", _id(runtime, by, "bans"), by.uri, target.uri, group.actor.uri,
                                       target=group.actor.uri, summary=reason)


async def _tell_banned(session: AsyncSession, group: Group, target: Actor, sent: dict) -> None:
    """The group's followers hear of a ban through relay.announce; the banned actor's server too, if it is not
    among them (any longer)."""
    if group.members_only or target.local:
        return
    wrapped = activities.group_announce(relay.announce_id(group, sent["id"]), group.actor.uri,
                                        group.actor.followers_url, sent)
    await enqueue_activity(session, wrapped, group.actor, [target])


async def ban(runtime: Runtime, session: AsyncSession, group: Group, target: Actor, *, by: Actor,
              reason: str | None = None) -> None:
    """Ban an actor: their follow (membership) ends, their Follow and posts are refused from now on."""
    await check_moderator(session, group, by)
    why = _reason(reason)
    if target.id == group.actor_id or await registry.moderates(session, group, target):
        raise ServiceError(N_("a group's moderators (and the group) cannot be banned from it"))
    block = _block(runtime, group, by, target, why)
    if not await states.add_ban(session, group.actor_id, target.id, reason=why, block_uri=block["id"]):
        raise ServiceError(N_("%(acct)s is banned already"), Kind.CONFLICT, values={"acct": target.acct})
    await session.execute(delete(Follow).where(Follow.follower_id == target.id, Follow.followed_id == group.actor_id))
    await relay.announce(session, group, block, None)
    await _tell_banned(session, group, target, block)
    await _log(session, by, "group_member_banned", group, why, member=target.acct)


async def unban(runtime: Runtime, session: AsyncSession, group: Group, target: Actor, *, by: Actor) -> None:
    await check_moderator(session, group, by)
    existing = await states.ban_of(session, group.actor_id, target.id)
    if existing is None:
        raise ServiceError(N_("%(acct)s is not banned from the group"), Kind.NOT_FOUND, values={"acct": target.acct})
    block = _block(runtime, group, by, target, existing.reason)
    block["id"] = existing.block_uri or block["id"]  # the Undo names the Block that banned them
    await states.lift_ban(session, group.actor_id, target.id)
    undo = activities.group_undo(_id(runtime, by, "undo"), by.uri, block, group.actor.uri)
    await relay.announce(session, group, undo, None)
    await _tell_banned(session, group, target, undo)
    await _log(session, by, "group_member_unbanned", group, "", member=target.acct)


async def banned(session: AsyncSession, group: Group, *, by: Actor) -> list[tuple[Actor, GroupBan]]:
    """Who is banned (moderators only), most recent first, with each ban."""
    await check_moderator(session, group, by)
    return await states.bans(session, group.actor_id)


REPORTS_SCANNED = 500  # the newest open reports looked at for a group's moderators


async def reports_about(session: AsyncSession, group: Group, *, by: Actor) -> list[Report]:
    """The open reports (filed here, or Flags received) that name posts of the group, newest first: a group's
    moderators see them as the instance's moderators do in /admin/reports."""
    await check_moderator(session, group, by)
    recent = list((await session.execute(select(Report).where(Report.state == "open").order_by(Report.id.desc())
                                         .limit(REPORTS_SCANNED))).scalars())
    named = {int(i) for r in recent for i in r.post_ids or []}
    if not named:
        return []
    ours = set((await session.execute(select(GroupPost.post_id).where(GroupPost.group_id == group.actor_id,
                                                                    GroupPost.post_id.in_(named)))).scalars())
    return [r for r in recent if ours.intersection(int(i) for i in r.post_ids or [])]
