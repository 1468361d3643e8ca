"""A local Actor row as the ActivityStreams actor document other servers fetch."""
from __future__ import annotations

import mimetypes
from datetime import datetime, timezone
from typing import Any

from server.convert.featured_tag_to_mastodon import featured_tags_collection
from server.db.models import Actor
from server.urls import LocalUrls

AS_NS = "https://www.w3.org/ns/activitystreams"
SECURITY_NS = "https://w3id.org/security/v1"
# The extension terms Mastodon's actors use, so that Mastodon-compatible servers read ours alike.
ACTOR_CONTEXT: list[Any] = [AS_NS, SECURITY_NS, {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "indexable": "toot:indexable",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}]
# Terms of documents that carry a Multikey (the instance actor) or an attestation (verified members), inline:
# an actor must be readable with only the contexts every implementation has at hand (AS2, security/v1).
VERIFICATION_TERMS: dict[str, Any] = {
    "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"},
    "Multikey": "https://w3id.org/security#Multikey",
    "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
    "publicKeyMultibase": "https://w3id.org/security#publicKeyMultibase",
}
ATTESTATION = "curbside:attestation"  # the URL of the member's signed attestation (older Curbsides: embedded)


def curbside_terms(urls: LocalUrls) -> dict[str, Any]:
    """The `curbside:` prefix, on this instance's namespace document (server.ap.namespace serves it)."""
    return {"curbside": f"{urls.namespace}#", ATTESTATION: {"@type": "@id"}}


# What an unsigned request sees in authorized-fetch mode: enough to verify our signatures, no profile.
RESTRICTED_FIELDS = ("@context", "id", "type", "preferredUsername", "inbox", "outbox", "publicKey", "endpoints")


def iso(moment: datetime) -> str:
    """A UTC timestamp as Mastodon writes them: seconds, `Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def image(url: str | None) -> dict[str, str] | None:
    if not url:
        return None
    media_type = mimetypes.guess_type(url.split("?", 1)[0])[0]
    return {"type": "Image", **({"mediaType": media_type} if media_type else {}), "url": url}


def _fields(actor: Actor) -> list[dict[str, str]]:
    return [{"type": "PropertyValue", "name": str(f.get("name", "")), "value": str(f.get("value", ""))}
            for f in actor.fields or [] if isinstance(f, dict)]


def actor_to_as(actor: Actor, urls: LocalUrls, *, restricted: bool = False, attestation: str | None = None,
                verified_field: dict[str, str] | None = None,
                assertion_method: list[dict] | None = None) -> dict[str, Any]:
    """The actor document of a local actor (a member's Person or the instance's Application).

    `restricted` keeps only what another server needs to check our signatures (Mastodon's
    secure mode answers unsigned requests that way). A verified member's document carries the URL of
    the signed `attestation` (served apart: its VC 2.0 context would make every JSON-LD processor
    fetch it before reading the actor) and, for servers that know nothing of it, `verified_field` as a
    plain PropertyValue; the instance actor's carries its Ed25519 key in `assertionMethod`.
    """
    if not actor.local:
        raise ValueError(f"{actor.uri} is not a local actor")
    is_member = actor.uri != urls.instance_actor
    document: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": actor.uri,
        "type": actor.actor_type,
        "following": actor.following_url,
        "followers": actor.followers_url,
        "inbox": actor.inbox,
        "outbox": actor.outbox,
        "featured": f"{actor.uri}/collections/featured" if is_member else None,
        "featuredTags": featured_tags_collection(actor.uri) if is_member else None,
        "preferredUsername": actor.username,
        "name": actor.display_name or actor.username,
        "summary": actor.summary or "",
        "url": actor.url,
        "manuallyApprovesFollowers": bool(actor.manually_approves),
        "discoverable": bool(actor.discoverable),
        "indexable": bool(actor.indexable),
        "published": iso(actor.published or actor.created_at) if (actor.published or actor.created_at) else None,
        "publicKey": {"id": actor.public_key_id, "owner": actor.uri, "publicKeyPem": actor.public_key_pem},
        "attachment": ([verified_field] if verified_field else []) + _fields(actor),
        "endpoints": {"sharedInbox": actor.shared_inbox or urls.shared_inbox},
        "icon": image(actor.icon_url),
        "image": image(actor.header_url),
        "alsoKnownAs": list(actor.also_known_as) if actor.also_known_as else None,
        "movedTo": actor.moved_to_uri,
    }
    if restricted:
        document = {k: document[k] for k in RESTRICTED_FIELDS}
    elif attestation or assertion_method:
        document["@context"] = [*ACTOR_CONTEXT[:2], {**ACTOR_CONTEXT[2], **VERIFICATION_TERMS, **curbside_terms(urls)}]
        document["assertionMethod"] = assertion_method
        document[ATTESTATION] = attestation
    return {k: v for k, v in document.items() if v is not None}
