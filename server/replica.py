"""Reads from a PostgreSQL streaming replica (CURBSIDE_DATABASE_REPLICA_URL), without losing read-your-writes.

Which reads: the handlers of read-heavy paths open `runtime.reads()` (timelines, public web pages for
visitors, unsigned ActivityPub GETs of public objects); a session from it reads the replica when the caller
may. Everything else, and every write, uses the primary.

The replica lags the primary a little (more under load, or while its replay is paused). A member who has just
posted must still see her post: any request that may write (a method other than GET, HEAD or OPTIONS) with a
credential (an access token, or the web session cookie) marks that credential in the primary's
`recent_writes` for RECENT_WRITE_SECONDS, before the write is handled; while marked, its reads go to the
primary. The mark is looked up (one indexed read of the primary) only when a credentialed caller is about to
read the replica; visitors and remote servers read it with no look-up at all.

Replica sessions carry none of the process's caches (server.caches): a cache filled from a lagging replica
right after a change was announced would keep the old value until it expired.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from contextvars import ContextVar
from typing import AsyncIterator

from sqlalchemy import delete, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from server.db.engine import make_autocommit_engine, make_engine, make_sessionmaker
from server.db.models import RecentWrite
from server.ratelimit import caller_key

log = logging.getLogger("curbside.replica")
RECENT_WRITE_SECONDS = 30  # well beyond a healthy replica's lag; a mark costs only the primary serving her reads
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "curbside_session"  # server.web.page.SESSION_COOKIE (a test keeps them equal)
CALLER: ContextVar[str | None] = ContextVar("replica_caller", default=None)  # the credential of this request

_MARK = text("INSERT INTO recent_writes (caller, until) VALUES (:caller, :until) "
             "ON CONFLICT (caller) DO UPDATE SET until = excluded.until")
_MARKED = text("SELECT until FROM recent_writes WHERE caller = :caller")


def credential(scope: Scope) -> str | None:
    """The request's credential, hashed (an access token, else the web session cookie); None for a visitor."""
    key = caller_key(scope)
    if key.startswith("token:"):
        return key
    cookies = dict(scope.get("headers") or []).get(b"cookie")
    session = cookie_parser(cookies.decode("latin-1")).get(SESSION_COOKIE) if cookies else None
    return "session:" + hashlib.blake2b(session.encode(), digest_size=12).hexdigest() if session else None


class Replica:
    """The replica's engine and sessions, and the primary's marks of recent writers."""

    def __init__(self, replica_url: str, primary_url: str, *, clock=time.time):
        self.engine = make_engine(replica_url)
        self.sessions = make_sessionmaker(self.engine)
        self.marks = make_autocommit_engine(primary_url)
        self.clock = clock

    async def mark(self, caller: str) -> None:
        async with self.marks.connect() as connection:
            await connection.execute(_MARK, {"caller": caller, "until": int(self.clock()) + RECENT_WRITE_SECONDS})

    async def wrote_recently(self, caller: str) -> bool:
        async with self.marks.connect() as connection:
            until = (await connection.execute(_MARKED, {"caller": caller})).scalar()
        return until is not None and until > self.clock()

    @contextlib.asynccontextmanager
    async def reads(self, primary: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        """A session on the replica, or on the primary for a caller who wrote a moment ago."""
        caller = CALLER.get()
        sessions = primary if caller is not None and await self.wrote_recently(caller) else self.sessions
        async with sessions() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
        await self.marks.dispose()


class ReplicaRouting:
    """Names each request's credential for `Replica.reads`, and marks a credential that may be writing."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        caller = credential(scope)
        if caller is not None and scope["method"] not in SAFE_METHODS:
            await self._mark(scope, caller)
        reset = CALLER.set(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(reset)

    async def _mark(self, scope: Scope, caller: str) -> None:
        replica = scope["app"].state.runtime.replica
        try:
            await replica.mark(caller)
        except (SQLAlchemyError, OSError) as exc:  # the write itself will meet the same trouble and say so
            log.warning("could not mark a writer for read-your-writes: %s", exc)


async def prune(session: AsyncSession, now: float | None = None) -> int:
    """Delete the marks that have run out (a scheduled chore); how many."""
    result = await session.execute(delete(RecentWrite).where(RecentWrite.until <= (now or time.time())))
    return result.rowcount or 0
