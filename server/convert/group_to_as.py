"""A group hosted here as the `Group` actor document (FEP-1b12), shaped as Lemmy's communities are."""
from __future__ import annotations

from typing import Any

from server.convert.actor_to_as import ACTOR_CONTEXT, AS_NS, iso
from server.db.models import Group

# Lemmy's terms for what a community adds to an actor.
GROUP_TERMS = {"lemmy": "https://join-lemmy.org/ns#", "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
               "sensitive": "as:sensitive"}


def moderators_url(group: Group) -> str:
    return f"{group.actor.uri}/moderators"


def featured_url(group: Group) -> str:
    return f"{group.actor.uri}/featured"


def thread_url(group: Group, thread_id: int) -> str:
    """The FEP-7888 `context` of a thread of the group: it answers the thread's posts as an OrderedCollection."""
    return f"{group.actor.uri}/threads/{thread_id}"


def group_to_as(group: Group) -> dict[str, Any]:
    """The actor document, `attributedTo` the moderators collection as Lemmy's (a members-only group's is never
    served: server.ap.groups)."""
    actor = group.actor
    return {
        "@context": [*ACTOR_CONTEXT[:2], {**ACTOR_CONTEXT[2], **GROUP_TERMS}],
        "id": actor.uri,
        "type": "Group",
        "preferredUsername": actor.username,
        "name": actor.display_name,
        "summary": actor.summary or "",
        "url": actor.url,
        "inbox": actor.inbox,
        "outbox": actor.outbox,
        "followers": actor.followers_url,
        "featured": featured_url(group),
        "attributedTo": moderators_url(group),
        "postingRestrictedToMods": group.posting_restricted_to_mods,
        "manuallyApprovesFollowers": group.join_policy != "open",
        "discoverable": True,
        "published": iso(group.created_at),
        "publicKey": {"id": actor.public_key_id, "owner": actor.uri, "publicKeyPem": actor.public_key_pem},
        "endpoints": {"sharedInbox": actor.shared_inbox},
    }


def moderators_to_as(group: Group, moderator_uris: list[str]) -> dict[str, Any]:
    return {"@context": AS_NS, "id": moderators_url(group), "type": "OrderedCollection",
            "totalItems": len(moderator_uris), "orderedItems": moderator_uris}
