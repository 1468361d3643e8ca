"""A member's list as Mastodon's List entity."""
from __future__ import annotations

from server.db.models import List


def list_to_mastodon(row: List) -> dict:
    return {"id": str(row.id), "title": row.title, "replies_policy": row.replies_policy,
            "exclusive": bool(row.exclusive)}
