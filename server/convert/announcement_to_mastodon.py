"""An announcement as Mastodon's Announcement entity, for one member (whether they read it, their reactions)."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import Announcement


def announcement_to_mastodon(row: Announcement, *, read: bool, reactions: list[dict]) -> dict:
    """`reactions`: Mastodon's Reaction entities (name, count, me), Unicode emoji only (no custom emoji here)."""
    return {"id": str(row.id), "content": row.content_html,
            "starts_at": iso(row.starts_at) if row.starts_at else None,
            "ends_at": iso(row.ends_at) if row.ends_at else None,
            "all_day": False, "published": True, "published_at": iso(row.published_at),
            "updated_at": iso(row.updated_at), "read": read, "mentions": [], "statuses": [], "tags": [],
            "emojis": [], "reactions": reactions}
