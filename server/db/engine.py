"""The async engine: SQLite tuned for a single busy machine, or PostgreSQL via asyncpg."""
from __future__ import annotations

import sqlite3
from functools import partial

import aiosqlite
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
_SQLITE_CONNECT = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}  # sqlite3.connect's arguments, either way


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection of the app: WAL, foreign keys, and waiting (not failing) on a busy database."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection without its thread: each call runs on the caller's (the event loop's) thread.

    aiosqlite hands every call (cursor, execute, fetch, close) to a thread of its own and back; an ORM query
    makes four or five such trips, each costing more than SQLite's work: ~300 us of the loop's CPU per query
    on this project's 2-core benchmark machine, where the query itself takes ~10 us in SQLite. A command of
    the command line runs one task at a time and serves no requests: its loop may as well wait for SQLite.

    Not the worker, though it would gain as much (a fifth to a third of the inbox's CPU on Likes and boosts):
    its tasks run side by side, and one that waits for the network (or a thread) with a write transaction open
    would leave another task's write blocking the whole loop, itself included, until SQLite's busy timeout."""

    def __await__(self):
        return self._connect().__await__()

    async def _connect(self) -> "InlineConnection":
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def _inline_creator(database_url: str):
    path = make_url(database_url).database

    async def connect() -> InlineConnection:
        return await InlineConnection(
            partial(sqlite3.connect, path, check_same_thread=False, **_SQLITE_CONNECT), 64)
    return connect


def make_engine(database_url: str, *, pool_size: int = 10, inline: bool = False) -> AsyncEngine:
    """Create the engine for a validated database URL (see server.settings); `inline`: SQLite's calls on the event
    loop's thread (InlineConnection: for the command line)."""
    if database_url.startswith("sqlite"):
        extra = {"async_creator": _inline_creator(database_url)} if inline else {}
        engine = create_async_engine(database_url, connect_args=_SQLITE_CONNECT, **extra)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    return create_async_engine(database_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_autocommit_engine(database_url: str, *, pool_size: int = 4) -> AsyncEngine:
    """An engine for single statements that commit by themselves (the shared rate-limit counters): autocommit set
    once per connection, no BEGIN/COMMIT, no ping on checkout and no rollback on checkin, so that a statement is
    one round trip. A dropped connection fails one statement, is discarded by the pool, and the next checkout
    opens a new one."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args=_SQLITE_CONNECT,
                                     isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    return create_async_engine(database_url, pool_size=pool_size, max_overflow=pool_size,
                               isolation_level="AUTOCOMMIT", pool_reset_on_return=None)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
