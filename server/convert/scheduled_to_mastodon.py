"""A scheduled post -> Mastodon's ScheduledStatus entity (https://docs.joinmastodon.org/entities/ScheduledStatus/)."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import ScheduledPost


def _poll(poll: dict | None) -> dict | None:
    if not poll:
        return None
    return {"options": list(poll["options"]), "expires_in": str(poll["expires_in"]),
            "multiple": bool(poll.get("multiple")), "hide_totals": False}


def _params(data: dict) -> dict:
    reply = data.get("in_reply_to_id")
    media = data.get("media_ids")
    return {"text": data.get("text") or "", "poll": _poll(data.get("poll")),
            "media_ids": [str(m) for m in media] if media else None, "sensitive": bool(data.get("sensitive")),
            "spoiler_text": data.get("spoiler_text") or None, "visibility": data.get("visibility") or "public",
            "in_reply_to_id": str(reply) if reply is not None else None, "language": data.get("language"),
            "application_id": None, "scheduled_at": None, "idempotency": None, "with_rate_limit": False}


def scheduled_to_mastodon(row: ScheduledPost, media_attachments: list[dict]) -> dict:
    """`media_attachments` are the entities of the uploads it keeps (media_to_mastodon)."""
    return {"id": str(row.id), "scheduled_at": iso(row.scheduled_at), "params": _params(row.params),
            "media_attachments": media_attachments}
