"""The process's caches, in one place (Runtime.caches): each named, bounded, and dropped the same way.

The module that fills a cache makes it at first use (`Caches.use(name, make)`) with a bound on its size, and a
time to live where other processes may change what it holds. Any cache loses entries by `forget(*keys)` and
everything by `clear()`. Two ways reach them from outside: an after-commit effect (server.db.effects.forget:
this process, at once) and the committed process events the streaming hub hands to `saw` (every process:
edited or deleted posts, ended access, changed remote keys). No module keeps a cache of its own.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterator, Protocol, TypeVar

from server.db import effects
from server.services.reading.stream_events import ACCESS_ENDED, KEYS_CHANGED, POST_CHANGES, changed_post_ids

CACHES_KEY = "caches"  # a session's info: the Caches of the process that opened it


class Cache(Protocol):
    size: int  # the most entries it keeps

    def forget(self, *keys: Hashable) -> None: ...

    def clear(self) -> None: ...


C = TypeVar("C", bound=Cache)


class Bounded:
    """key -> value: at most `size` entries (the least recently used go first), each kept `ttl` seconds if given."""

    def __init__(self, size: int, ttl: float | None = None):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable, default: Any = None) -> Any:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return default
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        self._items[key] = (time.monotonic() + self.ttl if self.ttl is not None else float("inf"), value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        return ((key, item[1]) for key, item in list(self._items.items()))

    def __len__(self) -> int:
        return len(self._items)

    def forget(self, *keys: Hashable) -> None:
        for key in keys:
            self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


def _posts_changed(caches: "Caches", data: dict, kind: str) -> None:
    post_ids = changed_post_ids(kind, data)
    caches.forget("post_documents", *post_ids)
    caches.forget("post_pages", *post_ids)


def _access_ended(caches: "Caches", data: dict, kind: str) -> None:
    tokens = caches.named.get("tokens")
    if tokens is not None:
        tokens.forget_access(set(data.get("token_ids") or ()), set(data.get("actor_ids") or ()))
    caches.forget("local_users")  # which local users the inbox found: one may be gone


def _keys_changed(caches: "Caches", data: dict, kind: str) -> None:
    caches.forget("inbox_keys", *(data.get("key_ids") or ()))


# which committed process events make which caches stale
EVENTS: dict[str, Callable[["Caches", dict, str], None]] = {
    **{kind: _posts_changed for kind in POST_CHANGES}, ACCESS_ENDED: _access_ended, KEYS_CHANGED: _keys_changed}


class Caches:
    kinds = tuple(EVENTS)  # the events the streaming hub hands to `saw`

    def __init__(self) -> None:
        self.named: dict[str, Cache] = {}
        self.hearing = False  # whether a streaming hub reads events for this process (see `listening`)

    def use(self, name: str, make: Callable[[], C]) -> C:
        """The cache `name`, made by `make` at first use."""
        cache = self.named.get(name)
        if cache is None:
            cache = self.named[name] = make()
            if self.hearing and hasattr(cache, "listening"):
                cache.listening()
        return cache  # type: ignore[return-value]

    def forget(self, name: str, *keys: Hashable) -> None:
        """Drop these keys of cache `name` (all of it without keys); nothing if it was never made."""
        cache = self.named.get(name)
        if cache is not None:
            cache.forget(*keys) if keys else cache.clear()

    def clear(self) -> None:
        for cache in self.named.values():
            cache.clear()

    def saw(self, kind: str, data: dict) -> None:
        """A committed process event (server.streaming.hub), from any process."""
        if (drop := EVENTS.get(kind)) is not None:
            drop(self, data, kind)

    def listening(self) -> None:
        """The hub reads every event committed from now on: caches that must not miss one may start keeping."""
        self.hearing = True
        for cache in self.named.values():
            if hasattr(cache, "listening"):
                cache.listening()


def caches_of(session) -> Caches:
    """The caches of the process whose sessionmaker made `session`; a throwaway set for any other session."""
    found = session.info.get(CACHES_KEY)
    return found if found is not None else Caches()


ACTOR_DOCUMENTS = ("actor_documents", "webfinger")  # a member's actor document and WebFinger answer, by username


def actor_key(username: str) -> str:
    return username.lower()


def forget_actor(session, username: str) -> None:
    """After the commit, this process makes the member's actor document and WebFinger answer anew (other
    processes once their copies expire)."""
    for name in ACTOR_DOCUMENTS:
        effects.forget(session, name, actor_key(username))
