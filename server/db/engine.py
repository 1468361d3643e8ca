"""The async engine: SQLite tuned for a single busy machine, or PostgreSQL via asyncpg."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection of the app: WAL, foreign keys, and waiting (not failing) on a busy database."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the engine for a validated database URL (see server.settings)."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    return create_async_engine(database_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_autocommit_engine(database_url: str, *, pool_size: int = 4) -> AsyncEngine:
    """An engine for single statements that commit by themselves (the shared rate-limit counters): autocommit set
    once per connection, no BEGIN/COMMIT, no ping on checkout and no rollback on checkin, so that a statement is
    one round trip. A dropped connection fails one statement, is discarded by the pool, and the next checkout
    opens a new one."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                                     isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        return engine
    return create_async_engine(database_url, pool_size=pool_size, max_overflow=pool_size,
                               isolation_level="AUTOCOMMIT", pool_reset_on_return=None)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
