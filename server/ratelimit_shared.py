"""Client-API rate limits shared by every web process of an instance: the counters of server.ratelimit's rules
in the database's `rate_limits` table, one row per budget, caller and fixed window.

A request is one statement, one round trip: a multi-row `INSERT ... ON CONFLICT DO UPDATE SET n = n + 1
RETURNING n` over the budgets that apply to it, committed by itself (an autocommit engine of its own, so no
BEGIN/COMMIT and no pool ping). The row lock of the upsert makes concurrent processes count one after the
other, so a budget of N lets exactly N through whatever process each request reaches. Windows past their end
are deleted by the worker's scheduled chores (`prune`).

If the database cannot count (it is down, or the pool is exhausted), the request is counted in this process's
memory instead: limits stay per process for that moment rather than failing every API request.
"""
from __future__ import annotations

import functools
import logging
import time
from typing import Callable

from sqlalchemy import TextClause, delete, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.db.engine import make_autocommit_engine
from server.db.models import RateLimitWindow
from server.ratelimit import RateLimiter, Rule, Verdict, tightest, verdict

log = logging.getLogger("curbside.ratelimit")
WARN_EVERY = 60.0  # seconds between warnings while the database cannot count


class SharedRateLimiter:
    """Fixed-window counters keyed by (rule, caller) in the database; `open(url)` before use, `close()` after."""

    def __init__(self, rules: list[Rule], clock: Callable[[], float] = time.time):
        self.rules, self.clock = rules, clock
        self.engine: AsyncEngine | None = None
        self.fallback = RateLimiter(rules, clock)
        self._warned = 0.0

    def open(self, database_url: str) -> None:
        self.engine = make_autocommit_engine(database_url)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()

    async def count(self, method: str, path: str, caller: str) -> Verdict:
        """Count one request in the database; the verdict of the tightest budget that applies."""
        now = self.clock()
        # One row per budget name: two rules may share a budget, and an upsert may touch a row only once.
        applying = {rule.name: rule for rule in self.rules if rule.applies(method, path)}
        windows = {name: int(now // rule.period) for name, rule in applying.items()}
        rows = [{"bucket": _bucket(name, caller), "window_start": windows[name] * rule.period,
                 "expires": (windows[name] + 1) * rule.period} for name, rule in applying.items()]
        if self.engine is None:  # not opened: an app used without its lifespan
            return self.fallback.check(method, path, caller)
        try:
            counts = await self._upsert(rows)
        except (SQLAlchemyError, OSError) as exc:
            self._warn(exc)
            return self.fallback.check(method, path, caller)
        return tightest([verdict(rule, windows[name], counts[_bucket(name, caller)])
                         for name, rule in applying.items()])

    async def _upsert(self, rows: list[dict]) -> dict[str, int]:
        params = {f"{key}{i}": value for i, row in enumerate(rows) for key, value in row.items()}
        async with self.engine.connect() as connection:
            return dict((await connection.execute(_upsert_statement(len(rows)), params)).all())

    def _warn(self, exc: Exception) -> None:
        if time.monotonic() - self._warned > WARN_EVERY:
            self._warned = time.monotonic()
            log.warning("rate limits counted per process for now: the database could not count (%s)", exc)


@functools.lru_cache(maxsize=8)
def _upsert_statement(rows: int) -> TextClause:
    """The upsert of `rows` windows, written once per size (the same text on PostgreSQL and SQLite >= 3.35):
    a statement SQLAlchemy compiles once and the driver prepares once per connection."""
    values = ", ".join(f"(:bucket{i}, :window_start{i}, 1, :expires{i})" for i in range(rows))
    return text(f"INSERT INTO rate_limits (bucket, window_start, n, expires) VALUES {values} "
                "ON CONFLICT (bucket, window_start) DO UPDATE SET n = rate_limits.n + 1 RETURNING bucket, n")


def _bucket(name: str, caller: str) -> str:
    return f"{name}|{caller}"


async def prune(session: AsyncSession, now: float | None = None) -> int:
    """Delete the windows that have ended (a scheduled chore); how many."""
    result = await session.execute(delete(RateLimitWindow).where(RateLimitWindow.expires <= (now or time.time())))
    return result.rowcount or 0
