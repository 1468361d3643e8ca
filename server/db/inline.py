"""Read-only SQLite sessions that run on the event loop itself, behind the async calls the views make.

An indexed read of a page takes SQLite a fraction of a millisecond; aiosqlite hands every call (cursor,
execute, fetch, close) to a thread and back, which costs more than the query and makes busy processes
queue on the GIL. Hot read paths (the home timeline) use these instead; writes never do: the connection
is `query_only`, and in WAL mode a reader does not wait for writers.
"""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

READ_BUSY_TIMEOUT_MS = 1000  # bounds how long the loop could ever wait (a WAL checkpoint's brief lock)


def _read_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_read_engine(database_url: str) -> Engine:
    engine = create_engine(database_url.replace("+aiosqlite", "", 1), pool_size=4, max_overflow=8)
    event.listen(engine, "connect", _read_pragmas)
    return engine


class InlineSession:
    """The subset of AsyncSession the views use (execute, scalar, scalars, get), done synchronously.
    `bind` is the process's async engine, so per-database caches keyed on it are shared."""

    def __init__(self, engine: Engine, bind: AsyncEngine):
        self.sync = Session(engine, expire_on_commit=False)
        self.bind = bind

    async def execute(self, statement, *args, **kw):
        return self.sync.execute(statement, *args, **kw)

    async def scalar(self, statement, *args, **kw):
        return self.sync.scalar(statement, *args, **kw)

    async def scalars(self, statement, *args, **kw):
        return self.sync.scalars(statement, *args, **kw)

    async def get(self, entity, ident, **kw):
        return self.sync.get(entity, ident, **kw)

    async def __aenter__(self) -> "InlineSession":
        return self

    async def __aexit__(self, *exc) -> None:
        self.sync.close()


async def read_rows(session, statement, params: dict) -> list:
    """The rows of a Core statement built once at import."""
    return (await session.execute(statement, params)).all()
