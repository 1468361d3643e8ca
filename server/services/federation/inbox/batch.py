"""New posts whose writes wait for the end of the batch, then go to the database in bulk.

A busy inbox is mostly Creates of public or followers-only posts by followed actors. Written one by
one, each costs several round trips (post, tags, timelines); deferred, a whole batch costs a few
statements. Only that plain case is deferred: a post that mentions members, replies to a deferred
post, or is needed at once (a boost's original) is written immediately after flushing this batch,
and every other kind of activity flushes it first (see table.dispatch), so that no handler ever
misses a post that arrived before it.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import burst, effects
from server.db.models import Post, PostTag
from server.services.federation.inbox import remembered
from server.services.federation.inbox.intake import LOCK_POLL
from server.services.posts import fanout as timelines
from server.services.reading import stream_events


def _statements(dialect) -> dict:
    return {
        "posts": dialect.insert(Post).on_conflict_do_nothing(index_elements=["uri"]).returning(Post.id),
        "tags": dialect.insert(PostTag).on_conflict_do_nothing(),
    }


CHUNK = 25  # posts written per part of a batch's closing burst on SQLite, with the write lock held (~5 ms)
LOCK_PAUSE = 2 * LOCK_POLL  # seconds between two parts with the lock released: the intake asks for it every LOCK_POLL
_STATEMENTS = {"postgresql": _statements(postgresql), "sqlite": _statements(sqlite)}
_REPLIED = update(Post).where(Post.id == bindparam("parent")).values(replies_count=Post.replies_count + 1)


def post_columns(post: Post) -> dict:
    """The row of a new Post (every column, as INSERT ... RETURNING in bulk wants the same keys)."""
    return {c.key: getattr(post, c.key) for c in Post.__table__.columns}


class PostBatch:
    def __init__(self) -> None:
        self._rows: dict[str, dict] = {}  # uri -> row, in arrival order
        self._tags: dict[str, list[str]] = {}
        self._domains: dict[str, str | None] = {}  # uri -> author's domain (for hashtag followers)
        # The object ids of the batch's Creates were looked up at once (`checked`), and those their
        # origin deleted are in `deleted` (Deletes handled in the batch add to it); others are asked singly.
        self.checked: set[str] = set()
        self.deleted: set[str] = set()

    async def was_deleted(self, session: AsyncSession, uri: str) -> bool:
        if uri in self.deleted:
            return True
        return uri not in self.checked and await remembered.was_deleted(session, uri)

    def look_up_deleted(self, connection: Connection, uris: list[str]) -> None:
        """On a sync Connection (server.db.burst): with the batch's other first reads, in one burst."""
        self.deleted |= remembered.deleted_among(connection, uris)
        self.checked |= set(uris)

    def __contains__(self, uri: object) -> bool:
        return uri in self._rows

    def add(self, row: dict, tags: list[str], domain: str | None) -> None:
        """Defer a new post, given as its row (post_row) and its author's domain (unless one with its uri is
        deferred already)."""
        if row["uri"] not in self._rows:
            self._rows[row["uri"]] = row
            self._tags[row["uri"]] = tags
            self._domains[row["uri"]] = domain

    async def flush(self, session: AsyncSession, then: Callable[[Connection], None] | None = None,
                    commit: bool = False) -> int:
        """Write the deferred posts that are not stored yet, their tags, reply counts, home timeline entries
        (followers', then hashtag followers': after the tags) and stream events, then `then`'s writes, in one
        burst (server.db.burst: SQLite's write lock is held for the burst, not for as many awaits); returns
        how many posts were new.

        With `commit` (the caller commits right after, `then` marking the batch done), the burst commits on
        SQLite every CHUNK posts, with a pause between parts in which the lock is free, and at its end: no
        part holds the lock for long, and a crash between parts leaves the batch to be done again (the posts
        written are not new then, so nothing is written twice). Not once a part's posts have notifications to
        send (rare: members who asked to be told of an author's posts): the rest is then committed with
        them, as before, so that a crash cannot lose one."""
        if not self._rows and then is None:
            return 0
        rows, tags, domains = list(self._rows.values()), self._tags, self._domains
        self._rows, self._tags, self._domains = {}, {}, {}
        tagged = set(await timelines.tagged_reaching(session, [
            (row["id"], domains[row["uri"]]) for row in rows
            if tags[row["uri"]] and row["visibility"] == timelines.TAGGED_VISIBILITY]))
        size = CHUNK if commit else max(len(rows), 1)

        def write(connection: Connection) -> tuple[list[int], list]:
            new, subscribed = [], []
            for start in range(0, max(len(rows), 1), size):
                part = _write_posts(connection, rows[start:start + size], tags) if rows else []
                if part:
                    timelines.write_remote_entries(connection, part, [i for i in part if i in tagged])
                    stream_events.write_updates(connection, part)
                    subscribed += timelines.subscribed(connection, part)
                new += part
                last = start + size >= len(rows)
                if last and then is not None:
                    then(connection)
                if commit and not subscribed:
                    burst.commit(connection, pause=0.0 if last else LOCK_PAUSE)
            return new, subscribed

        new, subscribed = await burst.run(session, write)
        if new:
            effects.declare(session, stream_events.STREAM)
            await timelines.notify_subscribed(session, subscribed)
        return len(new)


def _write_posts(connection: Connection, rows: list[dict], tags: dict[str, list[str]]) -> list[int]:
    """Insert the posts not stored yet, their tags and their parents' reply counts; the new posts' ids."""
    statements = _STATEMENTS[connection.dialect.name]
    inserted = set(connection.execute(statements["posts"], rows).scalars())
    new = [row for row in rows if row["id"] in inserted]
    tag_rows = [{"post_id": row["id"], "tag": t} for row in new for t in tags[row["uri"]]]
    if tag_rows:
        connection.execute(statements["tags"], tag_rows)
    parents = [{"parent": row["in_reply_to_id"]} for row in new if row["in_reply_to_id"] is not None]
    if parents:
        connection.execute(_REPLIED, parents)
    return [row["id"] for row in new]
