"""Reads from a PostgreSQL streaming replica (CURBSIDE_DATABASE_REPLICA_URL), without losing read-your-writes.

Which reads: the handlers of read-heavy paths open `runtime.reads()` (timelines, public web pages for
visitors, unsigned ActivityPub GETs of public objects); a session from it reads the replica when the caller
may. Everything else, and every write, uses the primary.

The replica lags the primary a little (more under load, or while its replay is paused). Two bounds:

- Staleness: each process asks the replica how far behind it is (at most once a second) and, beyond
  CURBSIDE_DATABASE_REPLICA_MAX_LAG seconds (or when it cannot tell), sends every read to the primary until the
  replica catches up, so a suspension, a deletion or a removed follower is never hidden for longer than that.
  Caught up means replayed everything received (an idle primary sends nothing, and the time since the last
  replayed transaction then grows without any lag); else the lag is the age of the last replayed transaction.
- Read-your-writes: a request that may write (a method other than GET, HEAD or OPTIONS) with a credential (an
  access token, or the web session cookie) marks that credential in the primary's `recent_writes` for longer
  than the replica may lag, once the credential has proved valid (`authenticated`, called where the token or
  the session is resolved) and before the write is handled; while marked, its reads go to the primary. A
  made-up credential writes nothing. The mark is looked up (one indexed read of the primary) only when a
  credentialed caller is about to read the replica; visitors and remote servers read it with no look-up.

Replica sessions carry none of the process's caches (server.caches): a cache filled from a lagging replica
right after a change was announced would keep the old value until it expired.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import math
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
RECENT_WRITE_SECONDS = 30  # at least; a mark costs only the primary serving her reads
MARK_MARGIN = 10  # seconds a mark outlasts the largest lag the replica is read at
LAG_CHECK_SECONDS = 1.0  # how long a process trusts its last look at the replica's lag
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "curbside_session"  # server.web.page.SESSION_COOKIE (a test keeps them equal)
CALLER: ContextVar[str | None] = ContextVar("replica_caller", default=None)  # the credential of this request
# (replica, credential) of a request that may write, until its credential is found valid and marked
PENDING: ContextVar[tuple["Replica", str] | None] = ContextVar("replica_pending_mark", default=None)

_MARK = text("INSERT INTO recent_writes (caller, until) VALUES (:caller, :until) "
             "ON CONFLICT (caller) DO UPDATE SET until = excluded.until")
_MARKED = text("SELECT until FROM recent_writes WHERE caller = :caller")
# Seconds behind the primary: 0 when everything received is replayed (or not a standby at all); NULL when it
# cannot tell (a fresh standby that has replayed no transaction yet and is behind), read as too far behind.
_LAG = text("SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
            "WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() "
            "THEN 0 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END")


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

    def __init__(self, replica_url: str, primary_url: str, *, max_lag: float = 5.0, clock=time.time):
        self.engine = make_engine(replica_url)
        self.sessions = make_sessionmaker(self.engine)
        self.marks = make_autocommit_engine(primary_url)
        self.clock = clock
        self.max_lag = max_lag
        self.mark_seconds = max(RECENT_WRITE_SECONDS, math.ceil(max_lag) + MARK_MARGIN)
        self._lag_checked = -math.inf  # time.monotonic() of the last look
        self._lagging = True  # until a look says otherwise

    async def mark(self, caller: str) -> None:
        async with self.marks.connect() as connection:
            await connection.execute(_MARK, {"caller": caller, "until": int(self.clock()) + self.mark_seconds})

    async def lagging(self) -> bool:
        """Whether the replica is further behind than `max_lag` (or cannot say); looked up once a second."""
        now = time.monotonic()
        if now - self._lag_checked < LAG_CHECK_SECONDS:
            return self._lagging
        self._lag_checked = now  # requests arriving during the look use the last answer
        try:
            async with self.engine.connect() as connection:
                lag = (await connection.execute(_LAG)).scalar()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("could not read the replica's lag (reading the primary): %s", exc)
            lag = None
        lagging = lag is None or float(lag) > self.max_lag
        if lagging != self._lagging:
            log.log(logging.WARNING if lagging else logging.INFO, "the replica %s (lag %s s, limit %s s)",
                    "lags: reads go to the primary" if lagging else "caught up: reads go to it again",
                    "unknown" if lag is None else f"{float(lag):.1f}", self.max_lag)
        self._lagging = lagging
        return lagging

    async def wrote_recently(self, caller: str) -> bool:
        async with self.marks.connect() as connection:
            until = (await connection.execute(_MARKED, {"caller": caller})).scalar()
        return until is not None and until > self.clock()

    @contextlib.asynccontextmanager
    async def reads(self, primary: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        """A session on the replica, or on the primary while the replica lags too far or for a caller who
        wrote a moment ago."""
        caller = CALLER.get()
        on_primary = await self.lagging() or (caller is not None and await self.wrote_recently(caller))
        sessions = primary if on_primary else self.sessions
        async with sessions() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
        await self.marks.dispose()


async def authenticated() -> None:
    """The request's credential has proved valid (a live access token, a live web session): if the request may
    write, mark it for read-your-writes now, before the write. A no-op without a replica."""
    pending = PENDING.get()
    if pending is None:
        return
    PENDING.set(None)
    replica, caller = pending
    try:
        await replica.mark(caller)
    except (SQLAlchemyError, OSError) as exc:  # the write itself will meet the same trouble and say so
        log.warning("could not mark a writer for read-your-writes: %s", exc)


class ReplicaRouting:
    """Names each request's credential for `Replica.reads`, and readies the mark of one that may be writing
    (made by `authenticated` once the credential proves valid)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        caller = credential(scope)
        writer = caller is not None and scope["method"] not in SAFE_METHODS
        reset = CALLER.set(caller)
        pending = PENDING.set((scope["app"].state.runtime.replica, caller) if writer else None)
        try:
            await self.app(scope, receive, send)
        finally:
            PENDING.reset(pending)
            CALLER.reset(reset)


async def prune(session: AsyncSession, now: float | None = None) -> int:
    """Delete the marks that have run out (a scheduled chore); how many."""
    result = await session.execute(delete(RecentWrite).where(RecentWrite.until <= (now or time.time())))
    return result.rowcount or 0
