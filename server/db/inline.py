"""Read-only SQLite sessions that run on the event loop itself, behind the async calls the views make.

An indexed read of a page takes SQLite a fraction of a millisecond; aiosqlite hands every call (cursor,
execute, fetch, close) to a thread and back, which costs more than the query and makes busy processes
queue on the GIL. Hot read paths (the home timeline) use these instead; writes never do: the connection
is `query_only`, and in WAL mode a reader does not wait for writers.

`read_rows` goes one step further for statements built once at import: compiled once, then run straight
on the sqlite3 connection, so a request pays neither SQLAlchemy's statement-cache lookup (it hashes the
whole statement's key) nor its parameter and result processing. Their columns come back as SQLite stores
them (no result processing).
"""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from server.caches import CACHES_KEY, Bounded, Caches

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


class Prepared:
    """A statement compiled once for a dialect: its SQL, and how to turn named parameters into positional
    ones as SQLAlchemy would (each bound value through its type's bind processor)."""

    def __init__(self, statement, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:
            raise ValueError("expanding parameters are rewritten per execution: use server.db.idlists")
        binds = compiled.binds
        self.order = [(name, binds[name].value, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for name in compiled.positiontup]
        self.required = {name for name in compiled.positiontup if binds[name].required}

    def parameters(self, given: dict) -> tuple:
        if not self.required <= given.keys():
            raise ValueError(f"a value is required for {sorted(self.required - given.keys())}")
        done: dict[str, object] = {}  # a name used several times is processed once
        for name, default, process in self.order:
            if name not in done:
                value = given.get(name, default)
                done[name] = process(value) if process is not None and value is not None else value
        return tuple(done[name] for name, _, _ in self.order)


MAX_PREPARED = 256  # statement -> Prepared; meant for statements built once, bounded for any caller that is not


async def read_rows(session, statement, params: dict) -> list[tuple]:
    """The rows of a Core statement built once at import: raw from sqlite3 on an InlineSession, through
    SQLAlchemy (and its result processing) on any other session."""
    if isinstance(session, InlineSession):
        return session.rows(statement, params)
    return (await session.execute(statement, params)).all()


class InlineSession:
    """The subset of AsyncSession the views use (execute, scalar, scalars, get), done synchronously.
    `bind` is the process's async engine, so per-database caches keyed on it are shared."""

    def __init__(self, engine: Engine, bind: AsyncEngine, caches: Caches):
        self.engine, self.bind = engine, bind
        self.info = {CACHES_KEY: caches}
        self.prepared = caches.use("prepared_statements", lambda: Bounded(MAX_PREPARED))
        self._session: Session | None = None
        self._raw = None

    @property
    def sync(self) -> Session:
        """The ORM session, opened on first use (a page served from caches may need none)."""
        if self._session is None:
            self._session = Session(self.engine, expire_on_commit=False)
        return self._session

    def rows(self, statement, params: dict) -> list[tuple]:
        statement = self._prepare(statement)
        if self._raw is None:
            self._raw = self.engine.raw_connection()
        return self._raw.driver_connection.execute(statement.sql, statement.parameters(params)).fetchall()

    def _prepare(self, statement) -> Prepared:
        found = self.prepared.get(statement)
        if found is None:
            found = Prepared(statement, self.engine.dialect)
            self.prepared.put(statement, found)
        return found

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
        if self._session is not None:
            self._session.close()
        if self._raw is not None:
            self._raw.close()
