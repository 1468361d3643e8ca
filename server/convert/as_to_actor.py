"""A parsed remote actor (federation.vocab.Actor) onto our Actor row."""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from federation import vocab
from server.db.models import Actor
from server.db.types import utcnow


@lru_cache(maxsize=4096)  # the same actors post again and again
def actor_domain(actor_id: str) -> str:
    """host[:port] of an actor id, lowercased: the domain its acct lives on."""
    parts = urlsplit(actor_id)
    return parts.netloc.rsplit("@", 1)[-1].lower()


def as_to_actor(parsed: vocab.Actor, row: Actor | None = None) -> Actor:
    """Fill (or create) the row for a remote actor from its parsed document."""
    row = row or Actor(uri=parsed.id, local=False)
    path_name = urlsplit(parsed.id).path.rstrip("/").rsplit("/", 1)[-1] or "actor"
    row.username = (parsed.preferred_username or path_name)[:255]
    row.domain = actor_domain(parsed.id)
    row.actor_type = parsed.type
    row.display_name = parsed.name or ""
    row.summary = parsed.summary_html
    row.url = parsed.url
    row.icon_url = parsed.icon_url
    row.header_url = parsed.image_url
    row.inbox = parsed.inbox
    row.shared_inbox = parsed.shared_inbox
    row.outbox = parsed.outbox
    row.followers_url = parsed.followers
    row.following_url = parsed.following
    row.public_key_id = parsed.public_key_id
    row.public_key_pem = parsed.public_key_pem
    row.manually_approves = parsed.manually_approves_followers
    row.discoverable = parsed.discoverable
    row.indexable = parsed.indexable
    row.fields = [{"name": f.name, "value": f.value_html} for f in parsed.fields]
    row.published = parsed.published
    row.also_known_as = list(parsed.also_known_as)
    row.fetched_at = utcnow()
    return row
