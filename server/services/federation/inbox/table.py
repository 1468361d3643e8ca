"""The dispatch table: (activity type, object type) -> handler, and how an object's type is found."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from sqlalchemy import select

from federation import vocab
from federation.vocab import ACTOR_TYPES, POST_TYPES
from server.convert.as_to_actor import actor_domain
from server.db.models import Block, Follow, Like
from server.services.federation.inbox import actors, flags, follows, forwarded, groups, posts, reactions
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.groups import relay

log = logging.getLogger("curbside.inbox")
Handler = Callable[[InboxContext], Awaitable[None]]
ACTOR = "Actor"  # every actor type (Person, Service, Group, ...) is one object type here
ANY = "*"
UNKNOWN = "?"  # an object neither embedded with a type nor stored here


async def on_announce_activity(ctx: InboxContext) -> None:
    """A Group relaying an activity (refused for others): unwrapped by groups.py, then dispatched through this
    table as its actor's."""
    await groups.on_announce_activity(ctx, dispatch)


TABLE: dict[tuple[str, str], Handler] = {
    ("Follow", ACTOR): follows.on_follow_actor,
    ("Accept", "Follow"): follows.on_accept_follow,
    ("Reject", "Follow"): follows.on_reject_follow,
    ("Undo", "Follow"): follows.on_undo_follow,
    ("Block", ACTOR): follows.on_block_actor,
    ("Undo", "Block"): follows.on_undo_block,
    ("Like", "Note"): reactions.on_like_note,
    ("Undo", "Like"): reactions.on_undo_like,
    ("Announce", "Note"): reactions.on_announce_note,
    ("Undo", "Announce"): reactions.on_undo_announce,
    ("Delete", "Tombstone"): posts.on_delete_note,
    ("Update", ACTOR): actors.on_update_actor,
    ("Delete", ACTOR): actors.on_delete_actor,
    ("Move", ACTOR): actors.on_move_actor,
    ("Flag", ANY): flags.on_flag_object,
}
for _type in POST_TYPES:  # Note, Article, Question, Page, Event, Video, ...: one post handler each way
    TABLE[("Create", _type)] = posts.on_create_note
    TABLE[("Update", _type)] = posts.on_update_note
    TABLE[("Delete", _type)] = posts.on_delete_note
    TABLE[("Like", _type)] = reactions.on_like_note
    TABLE[("Announce", _type)] = reactions.on_announce_note
TABLE[("Delete", "Announce")] = posts.on_delete_note  # a boost is a post of ours too
TABLE[("Delete", UNKNOWN)] = posts.on_delete_note  # maybe a post whose Create is late: remembered
for _type in groups.RELAYED | {"Announce", "Follow", "Accept", "Reject", "Block", "Flag", "Move"}:
    TABLE[("Announce", _type)] = on_announce_activity  # a Group relaying (refused for others)

# Activities whose object must be fetched (or trusted embedded) to know its type.
CONTENT_ACTIVITIES = frozenset({"Create", "Update", "Announce"})
TABLE_OBJECT_TYPES = frozenset(kind for _, kind in TABLE)


def _kind(types: list[str]) -> str | None:
    for name in types:
        if name in ACTOR_TYPES:
            return ACTOR
        if name in POST_TYPES or name in TABLE_OBJECT_TYPES:
            return name
    return types[0] if types else None


async def _stored_kind(ctx: InboxContext, uri: str) -> str | None:
    """The type of something we store, by its id: a post (or boost; the commonest), an actor, a follow, like or
    block."""
    post = await ctx.post(uri, hand_on=True)
    if post is not None:
        return "Announce" if post.boost_of_id is not None else post.object_type
    if await ctx.known_actor(uri) is not None:
        return ACTOR
    for model, kind in ((Follow, "Follow"), (Like, "Like"), (Block, "Block")):
        if (await ctx.session.execute(select(model.id).where(model.uri == uri))).first():
            return kind
    return None


async def object_kind(ctx: InboxContext) -> str | None:
    """The object type that selects the handler; None when the object is unknown and unknowable."""
    activity = ctx.activity
    if activity.type in CONTENT_ACTIVITIES:
        stored = await ctx.post(ctx.object_id, hand_on=True) if activity.type == "Announce" else None
        if stored is not None:
            return stored.object_type
        if groups.embedded_delete(ctx) is not None:
            return "Delete"  # a Group relaying a Delete, which no origin serves: confirmed as gone (groups.py)
        return _kind(vocab.type_names((await ctx.object_doc()).get("type")))
    if activity.type in ("Follow", "Block", "Move") or ctx.object_id == activity.actor:
        return ACTOR
    embedded = ctx.embedded()
    if embedded is not None and (types := vocab.type_names(embedded.get("type"))):
        return _kind(types)
    return await _stored_kind(ctx, ctx.object_id) if ctx.object_id else None


async def _worth_vouching(ctx: InboxContext) -> bool:
    """Whether an activity its actor did not sign could change anything here, judged from what we
    store (its body is not trusted, nothing is fetched): else it is ignored at no remote cost. A Like
    or Announce counts only for a post of ours (a Like also for a post of a group here, which relays it); anything
    else needs a handler for what it is about."""
    activity = ctx.activity
    if activity.type in forwarded.OBJECT_FETCHED or (activity.type, ANY) in TABLE:
        return True
    if activity.type in ("Like", "Announce"):
        post = await ctx.post(ctx.object_id)
        return post is not None and (post.local or (activity.type == "Like" and await _in_a_group(ctx, post)))
    if activity.type in ("Follow", "Block", "Move") or ctx.object_id == activity.actor:
        kind = ACTOR
    else:
        kind = await _stored_kind(ctx, ctx.object_id) if ctx.object_id else None
    return (activity.type, kind or UNKNOWN) in TABLE


async def _in_a_group(ctx: InboxContext, post) -> bool:
    """Whether a group here relays what is done to the post."""
    return bool(await relay.holding(ctx.session, post.id))


async def dispatch(ctx: InboxContext) -> str:
    """Run the handler for the activity; returns what was done, for the log.

    An activity queued before its domain was suspended is refused here, not processed; one its actor
    did not sign is handled only as its origin confirms it (forwarded.py)."""
    activity = ctx.activity
    if not (await ctx.runtime.policies.get()).effective(actor_domain(activity.actor)).accept_inbox:
        raise Refused(f"activities from {actor_domain(activity.actor)} are not accepted")
    if await ctx.actor_suspended():
        raise Refused(f"{activity.actor} is suspended here")
    if not ctx.authentic and not await _worth_vouching(ctx):
        return f"ignored {activity.type} not signed by its actor: nothing here it could change"
    ctx = await forwarded.vouched(ctx)
    activity = ctx.activity
    if activity.type != "Create":  # whatever it is about may be a post of this batch: write them first
        await ctx.batch.flush(ctx.session)
    handler = TABLE.get((activity.type, ANY))
    kind = ANY
    if handler is None:
        kind = await object_kind(ctx)
        handler = TABLE.get((activity.type, kind or UNKNOWN))
    if handler is None:
        return f"ignored {activity.type} of {kind or 'an unknown object'}"
    await handler(ctx)
    return f"{handler.__name__}"
