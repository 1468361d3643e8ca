"""Activities whose signer is not their actor: a reply forwarded by the author of the post it answers
(inbox forwarding), an activity a Group relays (FEP-1b12, groups.py), a server signing with a key
of its own. Their body is not the actor's word (Curbside verifies no Linked Data signatures), so
none of it is taken on trust:

- Create and Update: the object is fetched from its own origin (InboxContext.object_doc takes no
  embedded copy), and must then be attributed to the actor as any post.
- Delete: only of a post (or actor) we hold, on the actor's origin, once that origin confirms it is
  gone: a 410 or a Tombstone; a 404 only for what the origin serves anyone (a public or unlisted post,
  an actor), since Mastodon answers 404 to our instance actor for a followers-only post or a DM it
  may not see. An object we do not hold is never remembered as deleted on such a Delete (a Create
  of it would be refused for a month).
- anything else (Like, Undo, Announce, Follow, ...): the activity itself is fetched from its actor's
  origin and handled as fetched. An origin that does not serve it drops it, with the reason.
"""
from __future__ import annotations

from dataclasses import replace

from federation import vocab
from federation.fetch import FetchError
from federation.urls import same_origin
from server.services.federation.inbox.context import InboxContext, Refused, fetch_failed

OBJECT_FETCHED = frozenset({"Create", "Update"})
PUBLIC_VISIBILITIES = ("public", "unlisted")


async def vouched(ctx: InboxContext) -> InboxContext:
    """The context to handle an activity its actor did not sign: as it is when its object will be
    fetched, or with the activity as its origin serves it. Refused (or Transient) otherwise."""
    if ctx.authentic:
        return ctx
    if ctx.activity.type in OBJECT_FETCHED:
        if ctx.object_id is None or not same_origin(ctx.object_id, ctx.activity.actor):
            raise _not_taken(ctx, "its object is not on its actor's origin")
        return ctx
    if ctx.activity.type == "Delete":
        await _confirm_gone(ctx)
        return ctx
    return await _as_served(ctx)


def _not_taken(ctx: InboxContext, why: str) -> Refused:
    activity = ctx.activity
    return Refused(f"{activity.type} {activity.id} of {activity.actor} signed by {ctx.signer}: {why}")


async def _served_to_anyone(ctx: InboxContext, object_id: str) -> bool | None:
    """Whether its origin serves the object we hold to anyone (so that a 404 means it is gone);
    None when we hold no such object."""
    if object_id == ctx.activity.actor:
        return await ctx.known_actor(object_id) is not None or None
    post = await ctx.post(object_id)
    return None if post is None else post.visibility in PUBLIC_VISIBILITIES


async def _confirm_gone(ctx: InboxContext) -> None:
    object_id = ctx.object_id
    if object_id is None:
        raise _not_taken(ctx, "it names no object")
    if not same_origin(object_id, ctx.activity.actor):
        raise _not_taken(ctx, "its object is not on its actor's origin")
    public = await _served_to_anyone(ctx, object_id)
    if public is None:
        raise _not_taken(ctx, f"{object_id} is not held here (only its actor's signature has it remembered)")
    try:
        fetched = await ctx.fetch_json(object_id)
    except FetchError as exc:
        if exc.status == 410 or (exc.status == 404 and public):
            return
        raise fetch_failed(object_id, exc) from None
    if "Tombstone" not in vocab.type_names(fetched.data.get("type")):
        raise _not_taken(ctx, f"its origin still serves {object_id}")


async def _as_served(ctx: InboxContext) -> InboxContext:
    activity = ctx.activity
    if not same_origin(activity.id, activity.actor):
        raise _not_taken(ctx, "it is not on its actor's origin, which alone could confirm it")
    try:
        doc = await ctx.fetch_object(activity.id)
    except Refused as exc:
        raise _not_taken(ctx, exc.reason) from None
    served = vocab.parse_activity(doc, allow_http=ctx.allow_http)
    if (served.id, served.type, served.actor) != (activity.id, activity.type, activity.actor):
        raise _not_taken(ctx, f"its origin serves {served.type} {served.id} of {served.actor} at its id")
    return replace(ctx, activity=served, signer=served.actor, document=doc, _object_doc=None,
                   object_was_embedded=False)
