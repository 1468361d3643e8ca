"""What the moderators of a remote group (a Lemmy or Mbin community, a group on another Curbside) did, applied to
our copies: a removal (Lemmy's `Delete` of a post by someone other than its author: our copy is deleted), `Lock`
and `Undo(Lock)` (the thread shown locked or not), `Add`/`Remove` with the group's featured collection as target
(pinned or not), `Block` with the group as target and its `Undo` (a ban, kept).

Taken only as the group's word: announced by the group with the activity embedded (the group signed it), or
otherwise by one of the moderators the group's `attributedTo` collection lists; and only for objects in that
group (a thread whose first post is addressed to it, or a reply in one; never a post of ours or a thread of a
group hosted here). Anything else is refused with the
reason."""
from __future__ import annotations

import logging

from sqlalchemy import select

from federation import vocab
from federation.urls import same_origin
from server.db.models import Actor, GroupPost, Post
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.federation.inbox.posts import remove_post
from server.services.groups import states
from server.services.reading import stream_events

log = logging.getLogger("curbside.inbox")
MAX_DEPTH = 64  # replies walked up to find the thread a post is in
MODERATORS_CAP = 200  # moderators read from a group's attributedTo collection
TYPES = frozenset({"Lock", "Add", "Remove", "Block", "Delete", "Undo"})  # what may be a moderator's action


def is_moderation(inner: vocab.Activity, group_uri: str, post_author: str | None) -> bool:
    """Whether an activity a Group relays is one of its moderators' actions (not a member's own)."""
    kind = inner.type
    if kind == "Lock":
        return True
    if kind in ("Add", "Remove"):
        return inner.target is not None and _is_featured(inner.target, group_uri)
    if kind == "Block":
        return inner.target == group_uri
    if kind == "Delete":
        return post_author is not None and post_author != inner.actor
    if kind == "Undo" and isinstance(inner.object, dict):
        undone = vocab.type_names(inner.object.get("type"))
        return "Lock" in undone or ("Block" in undone and inner.object.get("target") == group_uri)
    return False


def _is_featured(target: str, group_uri: str) -> bool:
    """The group's featured collection (Lemmy `/c/NAME/featured`, ours `/groups/NAME/featured`), not its
    moderators (Lemmy's Add/Remove of a moderator names `/moderators`)."""
    return same_origin(target, group_uri) and target.rstrip("/").rsplit("/", 1)[-1] in ("featured", "pinned")


async def _in_group(ctx: InboxContext, post: Post, group: Actor) -> bool:
    """In a thread of the group: the thread's first post (walked up to through the replies we hold) names the group
    in its `to`/`cc`. The group's boost of it proves nothing (any actor may announce any public post); and never a
    post of ours, nor a thread of a group hosted here: those are for their own moderators."""
    for _ in range(MAX_DEPTH):
        if post.local:
            return False
        if post.in_reply_to_id is None:
            break
        parent = await ctx.session.get(Post, post.in_reply_to_id)
        if parent is None:
            return False
        post = parent
    else:
        return False
    if group.uri not in (post.to or []) and group.uri not in (post.cc or []):
        return False
    held_here = select(GroupPost.post_id).where(GroupPost.post_id == post.id).limit(1)
    return (await ctx.session.execute(held_here)).first() is None


async def _group_post(ctx: InboxContext, group: Actor, uri: str | None) -> Post | None:
    """Our copy of a post of the group, or None if we hold none; Refused for a post not in that group."""
    post = await ctx.post(uri)
    if post is None:
        return None
    if not await _in_group(ctx, post, group):
        raise Refused(f"{group.uri} may not moderate {uri}: it is not a post in that group")
    return post


async def _moderators(ctx: InboxContext, group: Actor) -> set[str]:
    """The group's moderators as its own `attributedTo` collection lists them (fetched: we keep no copy)."""
    doc = await ctx.fetch_object(group.uri)
    listed = doc.get("attributedTo")
    if isinstance(listed, list):  # some put the moderators inline
        return {m for m in listed if isinstance(m, str)}
    if not isinstance(listed, str) or not same_origin(listed, group.uri):
        return set()
    collection = await ctx.fetch_object(listed)
    items = collection.get("orderedItems") or collection.get("items") or []
    return {i if isinstance(i, str) else str(i.get("id")) for i in items[:MODERATORS_CAP] if isinstance(i, (str, dict))}


async def check_vouched(ctx: InboxContext, group: Actor, inner: vocab.Activity, vouched_by: str) -> None:
    """The group vouches for what it signed; anyone else must be one of its moderators."""
    if vouched_by == group.uri:
        return
    if inner.actor not in await _moderators(ctx, group):
        raise Refused(f"{inner.actor} is not a moderator of {group.uri} (its attributedTo)")


async def apply(ctx: InboxContext, group: Actor, inner: vocab.Activity) -> str:
    """Apply a moderation activity of `group` (vouched for) to our copies; what was done, for the log."""
    kind, undone = inner.type, inner.object if inner.type == "Undo" else None
    if kind == "Undo":
        try:
            inner = vocab.parse_activity(undone, allow_http=ctx.allow_http)
        except vocab.VocabError as exc:
            raise Refused(f"the activity {inner.id} undoes is not one: {exc}") from None
    if inner.type == "Block":
        return await _ban(ctx, group, inner, banned=kind != "Undo")
    post = await _group_post(ctx, group, inner.object_id)
    if post is None:
        return f"ignored {inner.type} of {inner.object_id}: not held here"
    if inner.type == "Delete":
        return await _remove(ctx, group, post)
    if inner.type == "Lock":
        changed = await states.set_locked(ctx.session, group.id, post.id, kind != "Undo")
    else:  # Add or Remove, the featured collection as target
        changed = await states.set_pinned(ctx.session, group.id, post.id, inner.type == "Add")
    if changed is None:
        raise Refused(f"{group.uri} may not moderate {post.uri}: another group's moderators did")
    if changed:
        await stream_events.post_edited(ctx.session, post)
    return f"{kind} {inner.type} of {post.uri} by {group.uri}"


async def _remove(ctx: InboxContext, group: Actor, post: Post) -> str:
    if post.local:  # a member's post stays theirs; the group no longer relays it, which is the group's to say
        return f"kept {post.uri}: a member's own post, removed from {group.uri} there"
    await remove_post(ctx.session, post)
    log.info("%s removed %s", group.uri, post.uri)
    return f"removed {post.uri} on the word of {group.uri}"


async def _ban(ctx: InboxContext, group: Actor, block: vocab.Activity, *, banned: bool) -> str:
    target = await ctx.known_actor(block.object_id)
    if target is None:
        return f"ignored the ban of {block.object_id}: not known here"
    if banned:
        await states.add_ban(ctx.session, group.id, target.id, reason=(block.content or "")[:1000],
                             block_uri=block.id)
    else:
        await states.lift_ban(ctx.session, group.id, target.id)
    return f"{'banned' if banned else 'unbanned'} {target.uri} from {group.uri}"
