"""Accepting verified activities into the inbox queue: the domain hook and the group-commit writer."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from server.db.models import InboxItem
from server.runtime import Runtime

log = logging.getLogger("curbside.inbox")
MAX_BATCH = 500


async def inbox_allowed(runtime: Runtime, domain: str) -> bool:
    """Whether activities from `domain` may enter the inbox at all: not from a suspended domain, nor
    (in allowlist mode) from one no allow entry covers. Asked before the signature is checked, so a
    suspended server costs us no key fetch. Cached policies: no database query on the hot path."""
    return (await runtime.policies.get()).effective(domain).accept_inbox


class QueueUnavailable(Exception):
    """The inbox queue could not be written; the request should be answered 503."""


class InboxWriter:
    """Insert InboxItem rows for concurrent requests in shared transactions (group commit).

    `add` returns only after the row's transaction committed, so a 202 still means "stored". One
    short-lived task drains the pending rows: while one batch is being written the next one
    gathers, so batches grow with the load and cost nothing when it is light.
    """

    def __init__(self, engine: AsyncEngine, max_batch: int = MAX_BATCH, window: float = 0.001):
        self.engine = engine
        self.window = window
        self._last_batch = 0
        self.max_batch = max_batch
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._task: asyncio.Task | None = None

    async def add(self, row: dict) -> None:
        """Queue one row (activity_uri, signer, activity); raises QueueUnavailable on a database failure.

        A row whose activity_uri is already queued is silently skipped (a duplicate delivery)."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        batch: list[tuple[dict, asyncio.Future]] = []
        try:
            while self._pending:
                await self._gather()
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                self._last_batch = len(batch)
                try:
                    await self._write([row for row, _ in batch])
                except Exception as exc:  # the database is down or refused: each request answers 503
                    log.warning("inbox queue write of %d rows failed: %s: %s", len(batch), type(exc).__name__, exc)
                    self._settle(batch, QueueUnavailable(f"queue unavailable ({type(exc).__name__})"))
                else:
                    self._settle(batch, None)
        except BaseException:  # cancelled (shutdown): nobody may wait forever
            self._settle(batch + self._pending, QueueUnavailable("queue writer stopped"))
            self._pending = []
            raise

    async def _gather(self) -> None:
        """Under load (the last batch had company), wait `window` so that requests already under way
        join this batch: one commit for many is much cheaper than one each. Alone, write at once."""
        if self._last_batch > 1 and len(self._pending) < self.max_batch:
            await asyncio.sleep(self.window)

    @staticmethod
    def _settle(batch: list[tuple[dict, asyncio.Future]], error: Exception | None) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(error) if error else future.set_result(None)

    async def _write(self, rows: list[dict]) -> None:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        async with self.engine.begin() as conn:  # Core, not the ORM: this is the hot path
            await conn.execute(dialect.insert(InboxItem).on_conflict_do_nothing(), rows)
