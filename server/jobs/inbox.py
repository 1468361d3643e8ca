"""The inbox runner: claims queued InboxItems under a lease and processes each through the dispatch
table (server.services.federation.inbox.table). A batch is processed in one transaction (on SQLite in several,
none holding the write lock for much more than LOCK_BUDGET), plain Creates being written in bulk at its end
(server.services.federation.inbox.batch); an activity that fails is rolled back with the uncommitted part of its
batch, recorded alone, and the others are redone.

Outcomes: done; `failed` at once when the activity is unusable or breaks a rule (VocabError,
Refused); tried again with backoff when something remote failed (Transient) or on an unexpected
error, and `failed` after MAX_ATTEMPTS tries. Each outcome is logged with its reason.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import BindParameter, Connection, Integer, Select, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.fetch import Fetcher
from server.convert.as_to_actor import actor_domain
from server.db import burst
from server.db.models import InboxItem
from server.db.types import utcnow
from server.metrics import process_metrics
from server.runtime import Runtime
from server.services.federation.host_health import mark_hosts_alive
from server.services.federation.inbox.batch import LOCK_PAUSE, PostBatch
from server.services.federation.inbox.context import InboxContext, Refused, Transient
from server.services.federation.inbox.remembered import seen_before
from server.services.federation.inbox.table import dispatch
from server.services.federation.remote_actors import fresh_remote_actors, make_fetcher
from server.services.moderation.incoming import suspended_among_on

log = logging.getLogger("curbside.inbox")
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)
LOCK_BUDGET = 0.005  # seconds a batch's transaction may hold SQLite's write lock before committing what it did


@dataclass(frozen=True)
class Claimed:
    id: int
    activity: Any
    signer: str
    attempts: int
    activity_uri: str
    received_at: datetime
    seen_before: bool = False  # processed once before, its row pruned since (remembered.seen_before)


def _observe_done(items: list[Claimed]) -> None:
    """The metrics' job latency: from received to processed (or given up on)."""
    now, metrics = utcnow(), process_metrics()
    for item in items:
        metrics.job_done("inbox", (now - item.received_at).total_seconds())


def due_items(now: datetime | BindParameter, limit: int | BindParameter) -> Select:
    """The ids of up to `limit` items due at `now`, soonest due first (then in arrival order): the order of
    ix_inbox_items_state_next_try_at, so that the scan stops after `limit` rows however long the queue is
    (the claim's UPDATE holds SQLite's write lock while it runs; sorting a backlog by id took tens of ms)."""
    return (select(InboxItem.id)
            .where(InboxItem.state == "queued", InboxItem.next_try_at <= now,
                   (InboxItem.locked_until.is_(None)) | (InboxItem.locked_until < now))
            .order_by(InboxItem.next_try_at, InboxItem.id).limit(limit))


def _claim(skip_locked: bool) -> Update:
    """The claim's UPDATE, with the moment (`now`), the lease's end (`until`) and `limit` as parameters; PostgreSQL's
    skips rows another worker has locked."""
    due = due_items(bindparam("now"), bindparam("limit", type_=Integer))
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (update(InboxItem).where(InboxItem.id.in_(due.scalar_subquery()))
            .values(locked_until=bindparam("until"), attempts=InboxItem.attempts + 1)
            .returning(InboxItem.id, InboxItem.activity, InboxItem.signer, InboxItem.attempts,
                       InboxItem.activity_uri, InboxItem.received_at))


_CLAIM = {"sqlite": _claim(skip_locked=False), "postgresql": _claim(skip_locked=True)}  # built once: every batch's


async def claim(runtime: Runtime, limit: int, lease: timedelta = LEASE) -> list[Claimed]:
    """Lease up to `limit` due items (see due_items); safe with several workers on one database."""
    now = utcnow()
    values = {"now": now, "until": now + lease, "limit": limit}

    def claim_rows(connection: Connection) -> list[Claimed]:
        rows = connection.execute(_CLAIM[connection.dialect.name], values).all()
        burst.commit(connection)  # the lease taken: SQLite's write lock released here, not one hop later
        seen = seen_before(connection, [row.activity_uri for row in rows])
        return [Claimed(*row, seen_before=row.activity_uri in seen) for row in rows]

    async with runtime.sessions() as session:  # one burst: the write lock is not held across awaits
        claimed = await burst.run(session, claim_rows)
        await session.commit()  # on PostgreSQL; SQLite's burst committed
    return sorted(claimed, key=lambda c: c.id)


def _outcome(item_id: int, error: Exception) -> tuple[bool, str]:
    """(retry?, reason) for an activity that failed."""
    if isinstance(error, (vocab.VocabError, Refused)):
        return False, f"refused: {error.reason}"
    if isinstance(error, Transient):
        return True, error.reason
    log.error("inbox item %d: unexpected failure", item_id, exc_info=error)  # a bug, or the database
    return True, f"{type(error).__name__}: {error}"[:1000]


def _finished(item_ids: list[int] | BindParameter, **values: Any) -> Update:
    # Only rows still claimed: one the actor's own copy replaced meanwhile is queued again (intake.py).
    claimed = InboxItem.id.in_(item_ids) & InboxItem.locked_until.is_not(None)
    return update(InboxItem).where(claimed).values(locked_until=None, **values)


async def _finish(session: AsyncSession, item_ids: list[int], **values: Any) -> None:
    await session.execute(_finished(item_ids, **values))


_DONE = _finished(bindparam("ids", expanding=True), state="done", last_error=None)  # built once: every batch's


def _done(item_ids: list[int]) -> Callable[[Connection], Any]:
    """Mark items done, as the last write of their batch's burst (PostBatch.flush)."""
    return lambda connection: connection.execute(_DONE, {"ids": item_ids})


async def _skip_seen(runtime: Runtime, items: list[Claimed]) -> list[Claimed]:
    """Mark done, unprocessed, the activities processed once before (their rows since pruned: see
    server.services.federation.inbox.remembered), and return the others."""
    repeated = [item for item in items if item.seen_before]
    if not repeated:
        return items
    async with runtime.sessions() as session:
        await _finish(session, [item.id for item in repeated], state="done",
                      last_error="processed before: a late re-delivery")
        await session.commit()
    _observe_done(repeated)
    log.info("inbox: %d late re-deliveries of activities processed before, skipped", len(repeated))
    return [item for item in items if not item.seen_before]


def _created_ids(items: list[Claimed]) -> list[str]:
    """The object ids of the batch's Creates, as given (parsing checks them later)."""
    ids = []
    for item in items:
        doc = item.activity
        if isinstance(doc, dict) and doc.get("type") == "Create":
            obj = doc.get("object")
            obj_id = obj.get("id") if isinstance(obj, dict) else obj
            if isinstance(obj_id, str):
                ids.append(obj_id)
    return ids


def _actor_ids(items: list[Claimed]) -> list[str]:
    """The actors of the batch's activities, as given."""
    ids = {item.signer for item in items}
    ids.update(item.activity.get("actor") for item in items if isinstance(item.activity, dict)
               and isinstance(item.activity.get("actor"), str))
    return list(ids)


class InboxRunner:
    """Runner of the `inbox` queue (see server.jobs.worker): `run_once` handles one claimed batch."""

    name = "inbox"

    def __init__(self, batch_size: int = 100, lease: timedelta = LEASE):
        self.batch_size = batch_size
        self.lease = lease

    async def run_once(self, runtime: Runtime) -> int:
        items = await claim(runtime, self.batch_size, self.lease)
        claimed = len(items)
        items = await _skip_seen(runtime, items)
        fetcher: list[Fetcher] = []

        async def fetcher_source() -> Fetcher:  # one signed fetcher per batch, made only if needed
            if not fetcher:
                fetcher.append(await make_fetcher(runtime))
            return fetcher[0]

        pending = items
        while pending:
            committed, failure = await self._process_together(runtime, pending, fetcher_source)
            pending = pending[committed:]
            if failure is None:
                break
            index, error = failure
            if index is None:  # the bulk writes of a part failed, no culprit known: each alone
                for item in pending:
                    await self._process(runtime, item, fetcher_source)
                break
            # Rolled back: redo those before it together, and record why this one failed.
            if index:
                redone, again = await self._process_together(runtime, pending[:index], fetcher_source)
                if again is not None:
                    for item in pending[redone:index]:
                        await self._process(runtime, item, fetcher_source)
            await self._record_failure(runtime, pending[index], *_outcome(pending[index].id, error))
            pending = pending[index + 1:]
        return claimed

    async def _process_together(self, runtime: Runtime, items: list[Claimed], fetcher_source
                                ) -> tuple[int, tuple[int | None, Exception | None] | None]:
        """Process items in one transaction (most activities succeed, and one commit is far cheaper
        than one each), or in several on SQLite: once the transaction has held the write lock for LOCK_BUDGET
        (handlers write as they go), what is done so far is committed, so that the inbox's intake is not kept
        waiting for the rest of the batch. Returns (how many of the first items were committed, None), or on
        the first failure (how many, (the failing item's index among those after them, the error)) after
        rolling back those after them; the index is None when a part's deferred writes failed. Handlers
        commit before any network fetch, so some work may be committed already: they are idempotent."""
        batch = PostBatch()
        async with runtime.sessions() as session:
            # What most activities ask first, asked once for the batch: tombstones, suspensions (in one burst), actors.
            actor_ids, created_ids = _actor_ids(items), _created_ids(items)

            def look_up(connection: Connection) -> set[str]:
                batch.look_up_deleted(connection, created_ids)
                return suspended_among_on(connection, actor_ids)

            suspended = await burst.run(session, look_up)
            actors = await fresh_remote_actors(runtime, session, actor_ids)
            start, locked_at = 0, None  # the first item not committed; when this transaction began to write
            lock = burst.WriteLock(session)
            for index, item in enumerate(items):
                try:
                    activity = vocab.parse_activity(item.activity, allow_http=runtime.settings.allow_http)
                    await dispatch(InboxContext(runtime, session, activity, item.signer, fetcher_source, actors,
                                                batch, suspended, document=item.activity))
                except Exception as exc:
                    await session.rollback()
                    return start, (index - start, exc)
                held = index + 1 < len(items) and await lock.held()
                locked_at = (locked_at or time.monotonic()) if held else None  # a handler may have committed
                if held and time.monotonic() - locked_at >= LOCK_BUDGET:
                    if not await self._commit(session, batch, items[start:index + 1]):
                        return start, (None, None)
                    start, locked_at = index + 1, None
                    await asyncio.sleep(LOCK_PAUSE)  # the lock free a moment for the intake
            await mark_hosts_alive(session, [actor_domain(i.signer) for i in items])  # a read, mostly: before writes
            if not await self._commit(session, batch, items[start:]):
                return start, (None, None)
        return len(items), None

    @staticmethod
    async def _commit(session: AsyncSession, batch: PostBatch, items: list[Claimed]) -> bool:
        """Write the batch's deferred posts, mark `items` done and commit; False (rolled back) if that failed."""
        try:
            await batch.flush(session, then=_done([item.id for item in items]), commit=True)
        except Exception:
            await session.rollback()
            return False
        await session.commit()
        _observe_done(items)
        return True

    async def _process(self, runtime: Runtime, item: Claimed, fetcher_source) -> None:
        """Process one item in its own transaction, recording the outcome."""
        async with runtime.sessions() as session:
            try:
                activity = vocab.parse_activity(item.activity, allow_http=runtime.settings.allow_http)
                ctx = InboxContext(runtime, session, activity, item.signer, fetcher_source, document=item.activity)
                outcome = await dispatch(ctx)
                await ctx.batch.flush(session, then=_done([item.id]), commit=True)
                await session.commit()
                _observe_done([item])
                log.debug("inbox item %d: %s", item.id, outcome)
                return
            except Exception as exc:
                await session.rollback()
                error = exc
        await self._record_failure(runtime, item, *_outcome(item.id, error))

    async def _record_failure(self, runtime: Runtime, item: Claimed, retry: bool, reason: str) -> None:
        if retry and item.attempts < MAX_ATTEMPTS:
            log.info("inbox item %d: try %d failed, will retry: %s", item.id, item.attempts, reason)
            values = {"next_try_at": utcnow() + BACKOFF[item.attempts - 1], "last_error": reason}
        else:
            log.warning("inbox item %d failed: %s", item.id, reason)
            values = {"state": "failed", "last_error": reason}
        async with runtime.sessions() as session:
            await _finish(session, [item.id], **values)
            await session.commit()
        if "state" in values:
            _observe_done([item])
