"""Run a transaction's closing writes back to back, in one hop to the connection, on a sync Connection.

Through aiosqlite every statement is a round trip between the event loop and the connection's thread,
each one waiting for the loop's turn: a busy loop stretches a few milliseconds of SQL over tens, all of
them with SQLite's write lock held. On SQLite `run` hands the whole function to the thread of the
session's aiosqlite connection, where it executes on a sync SQLAlchemy Connection over the same sqlite3
connection, so the lock is held for one burst. The transaction stays the session's: it commits or rolls
back as usual (this Connection does neither), and its pending ORM changes are flushed first, as a statement
through the session would. Elsewhere (PostgreSQL) the function runs through
`AsyncSession.run_sync`, statement by statement as before.

A burst that writes a lot may `commit` as it goes, where what it wrote so far may stand alone (a crash
after it keeps it): SQLite's write lock is then released in the burst, not one hop later, and for a moment
between its parts, so that the inbox's intake, which asks for it every millisecond, is not kept waiting
for the whole burst.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, create_engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import NullPool

T = TypeVar("T")
_current = threading.local()  # the sqlite3 connection the next sync Connection wraps, per connection thread


class _Borrowed:
    """The session's sqlite3 connection, lent for one call: closing, committing or rolling back is not ours."""

    def __init__(self, connection: Any):
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def close(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


_SQLITE = create_engine("sqlite://", creator=lambda: _Borrowed(_current.connection), poolclass=NullPool,
                        pool_reset_on_return=None)


def _in_thread(connection: Any, fn: Callable[[Connection], T]) -> T:
    _current.connection = connection
    try:
        with _SQLITE.connect() as sync:
            return fn(sync)
    finally:
        _current.connection = None


def commit(connection: Connection, *, pause: float = 0.0) -> None:
    """Inside `run` on SQLite: commit what the transaction wrote so far, then wait `pause` seconds with the
    write lock released (the next write begins a new transaction, which the session commits or rolls back as
    usual; its commit() finds nothing to do if nothing follows). Elsewhere (PostgreSQL, no database-wide write
    lock) nothing: the session commits everything at its end."""
    if connection.dialect.name != "sqlite":
        return
    _current.connection.commit()
    if pause:
        time.sleep(pause)


class WriteLock:
    """Whether a session's transaction holds SQLite's write lock (has written), cheap enough to ask after every
    item of a batch; always False on other databases. The sqlite3 connection is looked up again only when the
    session's transaction is another than last time (a commit ends one, and the next may take another
    connection from the pool)."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self._sqlite = session.bind.dialect.name == "sqlite"
        self._transaction: Any = None
        self._connection: Any = None

    async def held(self) -> bool:
        if not self._sqlite:
            return False
        transaction = self.session.sync_session.get_transaction()
        if transaction is None:
            return False
        if transaction is not self._transaction:
            raw = await (await self.session.connection()).get_raw_connection()
            self._transaction, self._connection = transaction, raw.driver_connection._conn
        return self._connection.in_transaction


async def run(session: AsyncSession, fn: Callable[[Connection], T]) -> T:
    """fn(sync Connection) inside the session's transaction, after its pending changes; on SQLite in one call
    into the connection's thread."""
    await session.flush()
    if session.bind.dialect.name != "sqlite":
        return await session.run_sync(lambda sync_session: fn(sync_session.connection()))
    raw = await (await session.connection()).get_raw_connection()
    aio = raw.driver_connection  # aiosqlite.Connection: `_execute` runs a function on its thread, with `_conn`
    return await aio._execute(lambda: _in_thread(aio._conn, fn))
