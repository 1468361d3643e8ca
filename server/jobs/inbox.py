"""The inbox runner: claims queued InboxItems under a lease and processes each through the dispatch
table (server.services.inbox.table), one transaction per activity.

Outcomes: done; `failed` at once when the activity is unusable or breaks a rule (VocabError,
Refused); tried again with backoff when something remote failed (Transient) or on an unexpected
error, and `failed` after MAX_ATTEMPTS tries. Each outcome is logged with its reason.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.fetch import Fetcher
from server.db.models import InboxItem
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.inbox.batch import PostBatch
from server.services.inbox.context import InboxContext, Refused, Transient
from server.services.inbox.table import dispatch
from server.services.remote_actors import make_fetcher

log = logging.getLogger("curbside.inbox")
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)
ALONE = -1  # _process_together: the batch failed as a whole


@dataclass(frozen=True)
class Claimed:
    id: int
    activity: Any
    signer: str
    attempts: int


async def claim(runtime: Runtime, limit: int, lease: timedelta = LEASE) -> list[Claimed]:
    """Lease up to `limit` due items (oldest first); safe with several workers on one database."""
    now = utcnow()
    due = (select(InboxItem.id)
           .where(InboxItem.state == "queued", InboxItem.next_try_at <= now,
                  (InboxItem.locked_until.is_(None)) | (InboxItem.locked_until < now))
           .order_by(InboxItem.id).limit(limit))
    if not runtime.settings.is_sqlite:
        due = due.with_for_update(skip_locked=True)
    statement = (update(InboxItem).where(InboxItem.id.in_(due.scalar_subquery()))
                 .values(locked_until=now + lease, attempts=InboxItem.attempts + 1)
                 .returning(InboxItem.id, InboxItem.activity, InboxItem.signer, InboxItem.attempts))
    async with runtime.sessions() as session:
        rows = (await session.execute(statement)).all()
        await session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


async def _finish(session: AsyncSession, item_ids: list[int], **values: Any) -> None:
    await session.execute(update(InboxItem).where(InboxItem.id.in_(item_ids)).values(locked_until=None, **values))


class InboxRunner:
    """Runner of the `inbox` queue (see server.jobs.worker): `run_once` handles one claimed batch."""

    name = "inbox"

    def __init__(self, batch_size: int = 100, lease: timedelta = LEASE):
        self.batch_size = batch_size
        self.lease = lease

    async def run_once(self, runtime: Runtime) -> int:
        items = await claim(runtime, self.batch_size, self.lease)
        fetcher: list[Fetcher] = []

        async def fetcher_source() -> Fetcher:  # one signed fetcher per batch, made only if needed
            if not fetcher:
                fetcher.append(await make_fetcher(runtime))
            return fetcher[0]

        pending = items
        while pending:
            failed_at = await self._process_together(runtime, pending, fetcher_source)
            if failed_at is None:
                break
            if failed_at == ALONE:
                for item in pending:
                    await self._process(runtime, item, fetcher_source)
                break
            # Rolled back: redo those before it together, the failing one alone (to record why).
            if failed_at and await self._process_together(runtime, pending[:failed_at], fetcher_source) is not None:
                for item in pending[:failed_at]:
                    await self._process(runtime, item, fetcher_source)
            await self._process(runtime, pending[failed_at], fetcher_source)
            pending = pending[failed_at + 1:]
        return len(items)

    async def _process_together(self, runtime: Runtime, items: list[Claimed], fetcher_source) -> int | None:
        """Process items in one transaction (most activities succeed, and one commit is far cheaper
        than one each); on the first failure roll back and return its index. Handlers commit before
        any network fetch, so some work may be committed already: they are idempotent."""
        actors, batch = {}, PostBatch()
        async with runtime.sessions() as session:
            for index, item in enumerate(items):
                try:
                    activity = vocab.parse_activity(item.activity, allow_http=runtime.settings.allow_http)
                    await dispatch(InboxContext(runtime, session, activity, item.signer, fetcher_source, actors, batch))
                except Exception:
                    await session.rollback()
                    return index
            try:
                await batch.flush(session)
            except Exception:  # which activity is at fault is unknown: each is tried alone
                await session.rollback()
                return ALONE
            await _finish(session, [item.id for item in items], state="done", last_error=None)
            await session.commit()
        return None

    async def _process(self, runtime: Runtime, item: Claimed, fetcher_source) -> None:
        retry, reason = False, ""
        async with runtime.sessions() as session:
            try:
                activity = vocab.parse_activity(item.activity, allow_http=runtime.settings.allow_http)
                ctx = InboxContext(runtime, session, activity, item.signer, fetcher_source)
                outcome = await dispatch(ctx)
                await ctx.batch.flush(session)
                await _finish(session, [item.id], state="done", last_error=None)
                await session.commit()
                log.debug("inbox item %d: %s", item.id, outcome)
                return
            except (vocab.VocabError, Refused) as exc:
                reason = f"refused: {exc.reason}"
            except Transient as exc:
                retry, reason = True, exc.reason
            except Exception as exc:  # a bug or a database failure: logged in full, retried a few times
                log.exception("inbox item %d: unexpected failure", item.id)
                retry, reason = True, f"{type(exc).__name__}: {exc}"[:1000]
            await session.rollback()
        await self._record_failure(runtime, item, reason, retry)

    async def _record_failure(self, runtime: Runtime, item: Claimed, reason: str, retry: bool) -> None:
        if retry and item.attempts < MAX_ATTEMPTS:
            log.info("inbox item %d: try %d failed, will retry: %s", item.id, item.attempts, reason)
            values = {"next_try_at": utcnow() + BACKOFF[item.attempts - 1], "last_error": reason}
        else:
            log.warning("inbox item %d failed: %s", item.id, reason)
            values = {"state": "failed", "last_error": reason}
        async with runtime.sessions() as session:
            await _finish(session, [item.id], **values)
            await session.commit()
