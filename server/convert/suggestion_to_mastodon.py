"""A suggestion as Mastodon 4.3's Suggestion entity. A verified colleague is one the society vouches for
(Mastodon's `featured`, deprecated `staff`); another colleague of the specialty is ranked by followers
(`most_followed`, deprecated `global`)."""
from __future__ import annotations


def suggestion_to_mastodon(account: dict, *, verified: bool) -> dict:
    return {"source": "staff" if verified else "global", "sources": ["featured" if verified else "most_followed"],
            "account": account}
