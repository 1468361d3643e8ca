"""Accepting verified activities into the inbox queue: the domain hook, the group-commit writer, and the app's
Intake (the key cache the inbox and signed GETs share, the writer, members' inboxes seen).

One row per activity id: a repeated delivery changes nothing, except that a copy signed by the
activity's actor takes the place of one that was not (and was not processed yet, or was refused):
else a server that received a followers-only post could queue a copy of it first, have it refused
(its origin does not show it to us) and the author's own delivery would be dropped as a duplicate.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from sqlalchemy import Text, bindparam, cast
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.caches import Bounded
from server.db.engine import SQLITE_BUSY_TIMEOUT_MS, sqlite_pragmas
from server.db.models import InboxItem
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.federation.remote_actors import KeyCache, make_key_resolver

log = logging.getLogger("curbside.inbox")
MAX_BATCH = 500
LOCK_POLL = 0.001  # seconds between two asks for SQLite's write lock held by another process
KEY_TTL = 60.0  # a cached key is read again from the database after this long (one query per actor)
LOCAL_USER_TTL = 60.0  # a member's inbox, once found, is not looked up again for this long
LOCAL_USERS = 10_000
# The write-ahead log is copied back into the database (checkpointed) by whichever connection commits once it has
# grown past a threshold (SQLite's default: 1,000 pages). The intake commits most often, so it did most of that
# copying, for the worker's writes too: here only far past that, should no worker be committing.
WAL_PAGES_BEFORE_CHECKPOINT = 20_000
DOWN = (OperationalError, InterfaceError, sqlite3.OperationalError, sqlite3.InterfaceError, OSError)


def _rows_fault(exc: Exception) -> bool:
    """Whether the database refused what it was given (one row may be to blame), rather than being
    down, locked or unreachable (every row would fail)."""
    if isinstance(exc, DOWN) or getattr(exc, "connection_invalidated", False):
        return False
    return isinstance(exc, (DBAPIError, sqlite3.Error))


async def inbox_allowed(runtime: Runtime, domain: str) -> bool:
    """Whether activities from `domain` may enter the inbox at all: not from a suspended domain, nor
    (in allowlist mode) from one no allow entry covers. Asked before the signature is checked, so a
    suspended server costs us no key fetch. Cached policies: no database query on the hot path."""
    return (await runtime.policies.get()).effective(domain).accept_inbox


class QueueUnavailable(Exception):
    """The inbox queue could not be written; the request should be answered 503."""


class Row(NamedTuple):
    """One accepted activity: its id, who signed it, and its JSON text exactly as it will be stored."""

    activity_uri: str
    signer: str
    text: str


class SqliteStore:
    """Writes batches with one stdlib sqlite3 connection on one thread of its own: a batch costs one
    hop to that thread (aiosqlite through SQLAlchemy costs five or six), and SQLite does the inserts
    and the commit without the GIL while the event loop checks the next requests' signatures.

    While a worker process holds SQLite's write lock, the writer asks for it again every millisecond
    rather than through SQLite's busy handler, which sleeps ever longer (up to 100 ms a time) and so
    lets a worker taking the lock back to back keep the requests waiting."""

    _INSERT = ("INSERT INTO inbox_items (activity_uri, signer, activity, state, attempts, next_try_at, received_at)"
               " VALUES (?, ?, ?, 'queued', 0, ?, ?) ON CONFLICT (activity_uri) DO UPDATE SET"
               " signer = excluded.signer, activity = excluded.activity, state = 'queued', attempts = 0,"
               " next_try_at = excluded.next_try_at, locked_until = NULL, last_error = NULL"
               " WHERE inbox_items.state != 'done'"
               " AND excluded.signer = json_extract(excluded.activity, '$.actor')"
               " AND inbox_items.signer != json_extract(inbox_items.activity, '$.actor')")

    def __init__(self, engine: AsyncEngine):
        self.path = engine.url.database
        self._stamp = InboxItem.__table__.c.received_at.type.bind_processor(engine.dialect)  # the ORM's format
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-writer")
        self._conn: sqlite3.Connection | None = None

    async def write(self, rows: list[Row]) -> None:
        now = self._stamp(utcnow())
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write, rows, now)

    def _write(self, rows: list[Row], now: str) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            sqlite_pragmas(self._conn, None)
            self._conn.execute("PRAGMA busy_timeout=0")
            self._conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES_BEFORE_CHECKPOINT}")
        conn = self._conn
        begin_immediate(conn)
        try:
            conn.executemany(self._INSERT, [(*row, now, now) for row in rows])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        def close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
        await asyncio.get_running_loop().run_in_executor(self._thread, close)
        self._thread.shutdown(wait=False)


def begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, asked again every LOCK_POLL while another connection holds SQLite's write lock (its
    busy_timeout must be 0), until SQLITE_BUSY_TIMEOUT_MS."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(LOCK_POLL)


class EngineStore:
    """Writes batches through the async engine (PostgreSQL): the stored JSON text is cast, not re-encoded."""

    _VALUES = postgresql.insert(InboxItem).values(
        activity_uri=bindparam("activity_uri"), signer=bindparam("signer"),
        activity=cast(bindparam("text", type_=Text), postgresql.JSONB))
    _INSERT = _VALUES.on_conflict_do_update(
        index_elements=["activity_uri"],
        set_={"signer": _VALUES.excluded.signer, "activity": _VALUES.excluded.activity, "state": "queued",
              "attempts": 0, "next_try_at": _VALUES.excluded.next_try_at, "locked_until": None, "last_error": None},
        where=(InboxItem.state != "done") & (_VALUES.excluded.signer == _VALUES.excluded.activity["actor"].as_string())
        & (InboxItem.signer != InboxItem.activity["actor"].as_string()))

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def write(self, rows: list[Row]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(self._INSERT, [row._asdict() for row in rows])

    async def close(self) -> None:
        pass


def make_store(engine: AsyncEngine) -> SqliteStore | EngineStore:
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return SqliteStore(engine)
    return EngineStore(engine)


class InboxWriter:
    """Insert InboxItem rows for concurrent requests in shared transactions (group commit).

    `add` returns only after the row's transaction committed, so a 202 still means "stored". One
    short-lived task drains the pending rows: while one batch is being written the next one
    gathers, so batches grow with the load and cost nothing when it is light.
    """

    def __init__(self, engine: AsyncEngine, max_batch: int = MAX_BATCH, committed: Callable[[], None] = lambda: None):
        self.store = make_store(engine)
        self.max_batch = max_batch
        self.committed = committed  # after each batch's commit: the workers look (Runtime.queued)
        self._pending: list[tuple[Row, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def add(self, row: Row) -> None:
        """Queue one row; returns once it is committed, raises QueueUnavailable on a database failure.

        A row whose activity_uri is already queued is skipped (a duplicate delivery), unless it
        replaces a copy not signed by the activity's actor (see the module's docstring)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[Row, asyncio.Future]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                await self._write_batch(batch)
                batch = []
        except BaseException:  # cancelled (shutdown): nobody may wait forever
            self._settle(batch + self._pending, QueueUnavailable("queue writer stopped"))
            self._pending = []
            raise

    async def _write_batch(self, batch: list[tuple[Row, asyncio.Future]]) -> None:
        """Write a batch in one transaction; if that fails, each row alone, so that one row the
        database refuses cannot cost the others their place (they answer 503 only if they fail too)."""
        try:
            await self.store.write([row for row, _ in batch])
        except Exception as exc:
            log.warning("inbox queue write of %d rows failed: %s: %s", len(batch), type(exc).__name__, exc)
            if len(batch) == 1 or not _rows_fault(exc):  # the database is down or locked: all 503
                return self._settle(batch, QueueUnavailable(f"queue unavailable ({type(exc).__name__})"))
            for one in batch:
                await self._write_batch([one])
        else:
            self._settle(batch, None)
            self.committed()

    @staticmethod
    def _settle(batch: list[tuple[Row, asyncio.Future]], error: Exception | None) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(error) if error else future.set_result(None)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task], timeout=5)
        await self.store.close()


@dataclass
class Intake:
    """Per-app inbox state: one key cache, its resolver, the queue writer, members' inboxes seen."""

    runtime: Runtime
    keys: KeyCache
    resolve_key: Callable
    writer: InboxWriter
    local_users: Bounded  # usernames whose inbox was found (emptied when any access ends: server.caches)


def intake_of(state: Any) -> Intake:
    """The app's Intake (made at its first use, and again for a new runtime: tests restart apps)."""
    intake = getattr(state, "inbox_intake", None)
    if intake is None or intake.runtime is not state.runtime:
        caches = state.runtime.caches
        keys = caches.use("inbox_keys", lambda: KeyCache(ttl=KEY_TTL))
        intake = Intake(state.runtime, keys, make_key_resolver(state.runtime, keys),
                        InboxWriter(state.runtime.engine, committed=lambda: state.runtime.queued("inbox")),
                        caches.use("local_users", lambda: Bounded(LOCAL_USERS, LOCAL_USER_TTL)))
        state.inbox_intake = intake
    return intake


async def close_intake(state: Any) -> None:
    """Let the queue writer finish and release its connection (at shutdown)."""
    intake = getattr(state, "inbox_intake", None)
    if intake is not None:
        await intake.writer.close()
        state.inbox_intake = None
