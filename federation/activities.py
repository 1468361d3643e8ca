"""Builders of the activities a server sends, shaped as Mastodon sends them.

Pure functions: ids and URIs come from the caller; nothing is stored or sent. A nested activity
(the Follow an Accept answers, the Like an Undo takes back) is embedded without its `@context`,
as Mastodon embeds it, so that receivers need not fetch it.
"""
from __future__ import annotations

from typing import Any

from federation.addressing import PUBLIC

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def _activity(kind: str, id: str, actor: str, object: Any, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"@context": AS_CONTEXT, "id": id, "type": kind, "actor": actor}
    doc.update((k, v) for k, v in extra.items() if v is not None)
    doc["object"] = object
    return doc


def _embedded(activity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in activity.items() if k != "@context"}


def _audience(to: list[str] | None, cc: list[str] | None) -> dict[str, list[str]]:
    return {k: list(v) for k, v in (("to", to), ("cc", cc)) if v}


def follow(id: str, actor: str, object: str) -> dict[str, Any]:
    """`actor` asks to follow the actor `object`."""
    return _activity("Follow", id, actor, object)


def accept(id: str, actor: str, follow_activity: dict[str, Any]) -> dict[str, Any]:
    """`actor` accepts a Follow of it; the Follow is embedded (Mastodon: id `actor#accepts/follows/N`)."""
    return _activity("Accept", id, actor, _embedded(follow_activity))


def reject(id: str, actor: str, follow_activity: dict[str, Any]) -> dict[str, Any]:
    """`actor` rejects (or later removes) a Follow of it; the Follow is embedded."""
    return _activity("Reject", id, actor, _embedded(follow_activity))


def undo(id: str, actor: str, activity: dict[str, Any], audience: str | None = None) -> dict[str, Any]:
    """`actor` takes back its own earlier activity (Follow, Like, Announce, Block), embedded; `audience`: the
    FEP-1b12 group it was done in, as Lemmy names it."""
    return _activity("Undo", id, actor, _embedded(activity), audience=audience)


def like(id: str, actor: str, object_uri: str, to: list[str] | None = None,
         cc: list[str] | None = None, audience: str | None = None) -> dict[str, Any]:
    """`actor` favourites the post `object_uri`. Mastodon sends no audience; give one if wanted. `audience`: the
    FEP-1b12 group the post is in (Lemmy sends its Likes there too)."""
    return _activity("Like", id, actor, object_uri, audience=audience, **_audience(to, cc))


def announce(id: str, actor: str, object_uri: str, published: str, to: list[str],
             cc: list[str]) -> dict[str, Any]:
    """`actor` boosts `object_uri`; `published` is an ISO 8601 UTC time ("...Z")."""
    return _activity("Announce", id, actor, object_uri, published=published, **_audience(to, cc))


def tombstone(object_uri: str) -> dict[str, Any]:
    """The Tombstone a Delete of a post carries (with Mastodon's atomUri)."""
    return {"id": object_uri, "type": "Tombstone", "atomUri": object_uri}


def delete(id: str, actor: str, object: str | dict[str, Any], to: list[str] | None = None,
           cc: list[str] | None = None) -> dict[str, Any]:
    """`actor` deletes `object`: a post as a Tombstone (see `tombstone`), or an id (an actor
    deleting itself names its own id)."""
    return _activity("Delete", id, actor, object, **_audience(to, cc))


def update(id: str, actor: str, object: dict[str, Any], to: list[str] | None = None,
           cc: list[str] | None = None) -> dict[str, Any]:
    """`actor` sends the new version of `object` (a post, or its own actor document)."""
    return _activity("Update", id, actor, _embedded(object), **_audience(to, cc))


def add(id: str, actor: str, object: dict[str, Any], target: str) -> dict[str, Any]:
    """`actor` adds `object` to its collection `target` (Mastodon: a Hashtag to the `featuredTags` collection)."""
    return _activity("Add", id, actor, object, target=target)


def remove(id: str, actor: str, object: dict[str, Any], target: str) -> dict[str, Any]:
    """`actor` takes `object` out of its collection `target`."""
    return _activity("Remove", id, actor, object, target=target)


def block(id: str, actor: str, object: str) -> dict[str, Any]:
    """`actor` blocks the actor `object`."""
    return _activity("Block", id, actor, object)


def group_announce(id: str, group: str, followers: str, activity: dict[str, Any],
                   context: str | None = None) -> dict[str, Any]:
    """A Group relays an activity posted to it to its followers (FEP-1b12): the activity embedded, addressed to
    the public and the group's followers, as Lemmy's communities announce, with the group as the `audience` of
    the Announce, of the activity and of a post it carries; a post without a FEP-7888 `context` gets the
    thread's `context` (a URL of the group's)."""
    relayed = {**_embedded(activity), "audience": group}
    post = relayed.get("object")
    if isinstance(post, dict) and relayed.get("type") in ("Create", "Update"):
        relayed["object"] = {**post, "audience": group, **({} if post.get("context") or not context
                                                           else {"context": context})}
    announce = _activity("Announce", id, group, relayed, to=[PUBLIC], cc=[followers], audience=group)
    announce["@context"] = _with_terms_of(activity.get("@context"))
    return announce


def _with_terms_of(inner: Any) -> Any:
    """The Announce's context: ActivityStreams, and whatever else the embedded activity declared (a case's
    `curbside:` prefix, Lemmy's terms), since the embedded copy loses its own `@context`."""
    extra = [c for c in (inner if isinstance(inner, list) else [inner]) if c and c != AS_CONTEXT]
    return [AS_CONTEXT, *extra] if extra else AS_CONTEXT


def group_moderation(kind: str, id: str, moderator: str, object: str, group: str, *, target: str | None = None,
                     summary: str | None = None) -> dict[str, Any]:
    """A moderator's action in a group, shaped as Lemmy sends it (then announced by the group): `Delete` of a post
    (a removal: the actor is not its author), `Lock` of a thread, `Add`/`Remove` of a thread to/from the group's
    featured collection (`target`), `Block` of an actor (`target` the group: a ban). Public, cc the group."""
    return _activity(kind, id, moderator, object, to=[PUBLIC], cc=[group], audience=group, target=target,
                     summary=summary or None)


def group_undo(id: str, moderator: str, activity: dict[str, Any], group: str) -> dict[str, Any]:
    """A moderator takes back a `group_moderation` activity (unlock, unban), addressed as it was."""
    return _activity("Undo", id, moderator, _embedded(activity), to=[PUBLIC], cc=[group], audience=group)


def move(id: str, actor: str, target: str) -> dict[str, Any]:
    """`actor` moved to the account `target` (which lists `actor` in its alsoKnownAs), as Mastodon sends it:
    the actor is its own object."""
    return _activity("Move", id, actor, actor, target=target)
