"""Per-process caches of what every viewer sees alike of Status and Account entities, kept as JSON.

A page of statuses is assembled from bytes: each status's shared part (`status_shared`), its author's
Account, its reblog, and, per request, what is the viewer's own (favourited, reblogged, bookmarked, pinned,
poll votes). Entries stay right across processes without any message between them: each remembers a
fingerprint of the database values it was made from (`fingerprint`: the columns themselves, as one string
the database builds), which the page's own queries read again every time; an entry whose fingerprint moved
is made afresh. Entries also age out: accounts with their counts (views.COUNTS_SECONDS), posts after
POST_SECONDS (for what a post shows of other rows: the accounts it mentions).

Nothing a viewer may not see can leak through them: they hold only what every viewer is shown alike, and
are looked up only for posts the viewer's own query found and the moderation filters let through.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import Text, cast, func

from server.caches import caches_of

POST_SECONDS = 600.0
MAX_ENTRIES = 10_000  # per kind; beyond it the cache starts again (a post entry is 1-3 KB)


def fingerprint(dialect: str, *columns):
    """One string made of the columns' values (unambiguous: a JSON array), built by the database, so that
    a page compares one value per entity instead of fetching and comparing each column."""
    if dialect == "sqlite":
        return func.json_array(*columns)
    return cast(func.json_build_array(*columns), Text)


def dumps(value) -> bytes:
    """JSON exactly as starlette's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


@dataclass(slots=True)
class PostEntry:
    fingerprint: str
    head: bytes  # the shared part as a JSON object without its closing brace
    poll: object | None  # (id, poll) of a post with a poll, for the per-viewer Poll entity
    pinnable_by: int | None  # the viewer shown a `pinned` key (post_to_mastodon.pinnable_by)
    expires: float


@dataclass(slots=True)
class AccountEntry:
    fingerprint: str
    json: bytes
    expires: float


class EntityCache:
    """The entries of one database, rendered for one instance's URLs."""

    size = 2 * MAX_ENTRIES

    def __init__(self) -> None:
        self.posts: dict[int, PostEntry] = {}
        self.accounts: dict[int, AccountEntry] = {}

    def forget(self, *ids: int) -> None:
        """Drop the entries of these posts and accounts (their ids never clash: server.db.ids)."""
        for key in ids:
            self.posts.pop(key, None)
            self.accounts.pop(key, None)

    def clear(self) -> None:
        self.posts.clear()
        self.accounts.clear()

    def post(self, post_id: int, fingerprint: str, now: float) -> PostEntry | None:
        entry = self.posts.get(post_id)
        return entry if entry is not None and entry.fingerprint == fingerprint and entry.expires > now else None

    def account(self, actor_id: int, fingerprint: str, now: float) -> AccountEntry | None:
        entry = self.accounts.get(actor_id)
        return entry if entry is not None and entry.fingerprint == fingerprint and entry.expires > now else None

    def keep_post(self, post_id: int, fingerprint: str, shared: dict, poll: object | None, pinnable_by: int | None,
                  now: float) -> PostEntry:
        if len(self.posts) >= MAX_ENTRIES:
            self.posts.clear()
        entry = self.posts[post_id] = PostEntry(fingerprint, dumps(shared)[:-1], poll, pinnable_by, now + POST_SECONDS)
        return entry

    def keep_account(self, actor_id: int, fingerprint: str, entity: dict, expires: float) -> AccountEntry:
        if len(self.accounts) >= MAX_ENTRIES:
            self.accounts.clear()
        entry = self.accounts[actor_id] = AccountEntry(fingerprint, dumps(entity), expires)
        return entry


def entity_cache(session, base_url: str) -> EntityCache:
    """The cache of the process whose session this is (one database), for entities rendered with `base_url`."""
    return caches_of(session).use(f"entities {base_url}", EntityCache)


def _flags(favourited: bool, reblogged: bool, bookmarked: bool, pinned: bool | None, muted: bool) -> bytes:
    flags = {"favourited": favourited, "reblogged": reblogged, "muted": muted, "bookmarked": bookmarked,
             **({} if pinned is None else {"pinned": pinned})}
    return b"," + dumps(flags)[1:]


_FLAGS = {(f, r, b, p, m): _flags(f, r, b, p, m) for f in (False, True) for r in (False, True)
          for b in (False, True) for p in (None, False, True) for m in (False, True)}


def status_json(entry: PostEntry, account: bytes, reblog: bytes | None, poll: bytes, flags: tuple,
                filtered: bytes = b"[]") -> bytes:
    """One Status: the shared part, then what differs by time or viewer (flags: favourited, reblogged,
    bookmarked, pinned (None: no such key), muted; `filtered`: the viewer's matching keyword filters, a JSON array)."""
    return b"".join((entry.head, b',"account":', account, b',"reblog":', reblog or b"null", b',"poll":', poll,
                     b',"filtered":', filtered, _FLAGS[flags]))


def now() -> float:
    return time.monotonic()
