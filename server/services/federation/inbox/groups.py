"""Activities a Group announces (FEP-1b12: Lemmy, Mbin, ... communities).

A community relays its members' activities to its followers wrapped in an Announce: Create, Update,
Delete, Like, Undo, ..., embedded or by id. The wrapped activity is handled as its actor's once its
origin confirms it: by id (or embedded with an id on another origin than the Group's), it is fetched
from its own origin and is its actor's word; embedded on the Group's origin, or an embedded Delete
(which no origin serves), it was signed by the Group, not by its actor, so it is handled as any
activity its actor did not sign (forwarded.py: objects fetched from their origin, a Delete applied
once the origin confirms the object gone, the activity fetched, or dropped). It must be on its actor's
origin, and the actor passes the same domain and suspension checks (table.dispatch). Only Groups
relay activities: an Announce of an activity by anyone else is refused with the reason.

A member who follows a community sees its new top-level posts as boosts by the community (replies
are stored but not boosted: a busy thread would flood home timelines).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Awaitable, Callable

from federation import vocab
from federation.urls import same_origin
from server.services.federation.inbox import group_moderation
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.federation.inbox.reactions import on_announce_note

log = logging.getLogger("curbside.inbox")
Dispatch = Callable[[InboxContext], Awaitable[str]]

# What FEP-1b12 Groups relay; the wrapped activity picks its own handler (or is ignored). A Block only as a ban
# from the group (group_moderation.py): a community's ban is no block between persons.
RELAYED = frozenset({"Create", "Update", "Delete", "Like", "Dislike", "Undo", "Add", "Remove", "Lock"})
BANS = frozenset({"Block"})


def embedded_delete(ctx: InboxContext) -> dict | None:
    """The Delete an Announce carries embedded (a Group relaying it), else None."""
    embedded = ctx.embedded()
    return embedded if embedded is not None and "Delete" in vocab.type_names(embedded.get("type")) else None


async def _relayed(ctx: InboxContext) -> tuple[vocab.Activity, str]:
    """(the relayed activity, who vouches for it: the Group if embedded, its actor if fetched)."""
    group = await ctx.actor()
    if group.actor_type != "Group":
        raise Refused(f"{group.uri} is a {group.actor_type}: only a Group relays activities (FEP-1b12)")
    embedded = embedded_delete(ctx)
    if embedded is not None:
        # No origin serves its Deletes (Mastodon, Curbside): the embedded one is taken as the Group's word, which
        # the handler of an activity its actor did not sign accepts only once the object's origin answers that
        # it is gone (forwarded.py).
        inner = vocab.parse_activity(embedded, allow_http=ctx.allow_http)
        vouched_by = ctx.signer
    else:
        inner = vocab.parse_activity(await ctx.object_doc(), allow_http=ctx.allow_http)
        vouched_by = ctx.signer if ctx.object_was_embedded else inner.actor
    if inner.type not in RELAYED | BANS:
        raise Refused(f"a Group does not relay {inner.type} activities")
    if not same_origin(inner.id, inner.actor):
        raise Refused(f"activity {inner.id} is not on the origin of its actor {inner.actor}")
    return inner, vouched_by


async def on_announce_activity(ctx: InboxContext, dispatch: Dispatch) -> None:
    """Unwrap an activity a Group announces and handle it as if delivered by its own actor, through `dispatch`
    (the table's, which maps Announces of activities here)."""
    inner, vouched_by = await _relayed(ctx)
    if same_origin(inner.actor, ctx.runtime.settings.base_url):
        return  # a member's own activity, relayed back to us: nothing new
    if await _moderated(ctx, inner, vouched_by):
        return
    if inner.type in BANS:
        raise Refused(f"a Group relays a Block only as a ban from it (target {inner.target})")
    done = await dispatch(InboxContext(ctx.runtime, ctx.session, inner, vouched_by, ctx.fetcher_source,
                                       ctx.actors, ctx.batch))
    log.debug("%s relayed by %s: %s", inner.id, ctx.activity.actor, done)
    if inner.type == "Create" and inner.object_id:
        await _boost_new_post(ctx, inner.object_id)


async def _moderated(ctx: InboxContext, inner: vocab.Activity, vouched_by: str) -> bool:
    """A moderator's action the group relays (removal, lock, pin, ban) is applied here as the group's word
    (group_moderation.py), not dispatched as its actor's own."""
    if inner.type not in group_moderation.TYPES:
        return False  # a member's Create, Update, Like: the common case, left to the batch's writes
    group = await ctx.actor()
    await ctx.batch.flush(ctx.session)  # the post it is about may be of this batch
    post = await ctx.post(inner.object_id) if inner.type == "Delete" else None
    if not group_moderation.is_moderation(inner, group.uri, post.author.uri if post is not None else None):
        return False
    await group_moderation.check_vouched(ctx, group, inner, vouched_by)
    log.info("%s relayed by %s: %s", inner.id, group.uri, await group_moderation.apply(ctx, group, inner))
    return True


async def _boost_new_post(ctx: InboxContext, post_uri: str) -> None:
    await ctx.batch.flush(ctx.session)
    post = await ctx.post(post_uri)
    if post is None or post.in_reply_to_uri is not None or post.boost_of_id is not None:
        return
    if post.visibility not in ("public", "unlisted"):
        return
    # The Announce itself becomes the Group's boost of the post (its id, its audience).
    await on_announce_note(replace(ctx, activity=replace(ctx.activity, objects=(post_uri,)), _object_doc=None,
                                  object_was_embedded=False))
