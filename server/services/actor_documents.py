"""Per-process caches of members' serialised actor documents and WebFinger answers (served by server.ap), and
`forget_actor`, which every surface calls after changing a member so that the next fetch serves the new
document."""
from __future__ import annotations

import time
from typing import Any

DOCUMENT_TTL = 30.0  # seconds another process's profile edit may take to show here


class DocumentCache:
    """username -> serialised actor document. Profile edits in this process call `forget`;
    edits made by other processes show once the entry expires."""

    def __init__(self, ttl: float = DOCUMENT_TTL, size: int = 10_000):
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, bytes]] = {}

    def get(self, username: str) -> bytes | None:
        item = self._items.get(username.lower())
        return item[1] if item and item[0] > time.monotonic() else None

    def put(self, username: str, body: bytes) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[username.lower()] = (time.monotonic() + self.ttl, body)

    def forget(self, username: str) -> None:
        self._items.pop(username.lower(), None)


def _cache(app: Any, name: str) -> DocumentCache:
    cache = getattr(app.state, name, None)
    if cache is None:
        cache = DocumentCache()
        setattr(app.state, name, cache)
    return cache


def actor_documents(app: Any) -> DocumentCache:
    return _cache(app, "actor_documents")


def jrd_documents(app: Any) -> DocumentCache:
    """WebFinger answers by username ("" for the instance actor)."""
    return _cache(app, "jrd_documents")


def forget_actor(app: Any, username: str) -> None:
    """Call after changing a member's profile, keys or account state (disabled), so the next fetch
    serves the new document."""
    actor_documents(app).forget(username)
    jrd_documents(app).forget(username)
