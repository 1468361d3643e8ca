"""The streaming hub of one web process: connected subscribers, and a pump that reads committed stream
events (server.services.reading.stream_events) and hands each subscriber what it may see.

Where events come from, by engine:
- SQLite: the `stream_events` table, read by id (ids grow in commit order: one writer at a time). The
  committing process wakes its own hub at once; other processes (a separate `curbside worker`) are seen
  at the next poll, within POLL_SECONDS.
- PostgreSQL: LISTEN on one dedicated connection; every transaction that writes an event NOTIFYs its id,
  which PostgreSQL delivers to every listening process at commit. Rows are then read by those ids.
Rows older than KEEP_SECONDS are deleted by whichever web process gets there first.

The pump reads even when nobody listens: an `access_ended` event must reach every process, to close the
streams it covers and to drop what the process cached of those tokens and accounts (server.caches). A PostgreSQL
listener that lost its connection reads what it missed from the table on reconnecting: rows past the highest id it had
seen, and every `access_ended` row still kept (re-applying one is harmless: its streams are already closed,
unless the member got the right back since, when they simply reconnect). Only a listener away for longer than
the table is trusted to keep what it missed (MISSED_SECONDS) closes every stream and empties the caches.

New subscribers are admitted in batches: one catch-up and one pump for all that arrived while the last
pump ran, not one each.

The process's caches (Runtime.caches) see every event they route (`Caches.kinds`): the caches of public
documents drop edited and deleted posts this way, whichever process changed them. The hub itself only streams.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from server.db import effects
from server.db.models import StreamEvent
from server.db.types import utcnow
from server.metrics import process_metrics
from server.runtime import Runtime
from server.services.reading.stream_events import ACCESS_ENDED, CHANNEL, KEYS_CHANGED, STREAM
from server.streaming.routing import deliveries
from server.streaming.subscribers import Subscriber

log = logging.getLogger("curbside.streaming")

POLL_SECONDS = 1.0
KEEP_SECONDS = 300
PRUNE_SECONDS = 60
STOP_SECONDS = 5.0
BATCH = 500
FOR_THE_PROCESS = (ACCESS_ENDED, KEYS_CHANGED)  # events no client sees: each process acts on them itself
MISSED_SECONDS = KEEP_SECONDS / 2  # a listener away for longer may have missed rows already deleted
_MISSED = "SELECT id FROM stream_events WHERE id > $1 OR kind = $2"


class _SqliteSource:
    def __init__(self, runtime: Runtime):
        self.sessions = runtime.sessions
        self.last_id: int | None = None

    async def ready(self) -> bool:
        """Whether events may have been missed (never: the table keeps them)."""
        if self.last_id is None:
            async with self.sessions() as session:
                self.last_id = await session.scalar(select(func.max(StreamEvent.id))) or 0
        return False

    async def catch_up(self) -> None:
        """Nothing to do: an event committed before now is in the table, past `last_id`."""

    async def fetch(self, kinds: tuple[str, ...] | None = None) -> list[StreamEvent]:
        """The next events (`kinds`: only those, skipping the others without reading them)."""
        if self.last_id is None:
            return []
        async with self.sessions() as session:
            if kinds is not None:
                newest = await session.scalar(select(func.max(StreamEvent.id))) or self.last_id
                rows = list((await session.execute(select(StreamEvent).where(
                    StreamEvent.id > self.last_id, StreamEvent.id <= newest, StreamEvent.kind.in_(kinds))
                    .order_by(StreamEvent.id))).scalars())
                self.last_id = newest
                return rows
            rows = list((await session.execute(select(StreamEvent).where(StreamEvent.id > self.last_id)
                                               .order_by(StreamEvent.id).limit(BATCH))).scalars())
        if rows:
            self.last_id = rows[-1].id
        return rows

    async def close(self) -> None:
        pass


class _PostgresSource:
    def __init__(self, runtime: Runtime, wake):
        self.sessions = runtime.sessions
        self.url = make_url(runtime.settings.database_url).set(drivername="postgresql")
        self.wake = wake
        self.pending: list[int] = []
        self.seen_max = 0  # the highest id read
        self.lost_at: float | None = None  # when the listening connection was found lost
        self.connection = None
        self.lock = asyncio.Lock()

    async def ready(self) -> bool:
        """Listen; after a lost connection, queue the rows it may have missed. Whether events may be missing even
        from those (the connection was lost for longer than MISSED_SECONDS)."""
        async with self.lock:
            if self.connection is not None and not self.connection.is_closed():
                return False
            if self.connection is None:
                self.connection = await self._listen()
                return False
            if self.lost_at is None:
                self.lost_at = time.monotonic()
            self.connection = await self._listen(missed=True)
            away, self.lost_at = time.monotonic() - self.lost_at, None
            return away > MISSED_SECONDS

    async def _listen(self, missed: bool = False):
        """A new listening connection; with `missed`, queue what its predecessor may not have heard (else start
        from the rows there are). Run on the listening connection, the query returns after the notifications of
        what it sees are pending: no row is queued twice."""
        import asyncpg

        connection = await asyncpg.connect(self.url.render_as_string(hide_password=False))
        try:
            await connection.add_listener(CHANNEL, self._notified)
            if missed:
                ids = [row["id"] for row in await connection.fetch(_MISSED, self.seen_max, ACCESS_ENDED)]
                self.pending = sorted(set(self.pending) | set(ids))
            else:
                self.seen_max = await connection.fetchval("SELECT coalesce(max(id), 0) FROM stream_events")
        except BaseException:
            with contextlib.suppress(Exception):
                await connection.close()
            raise
        return connection

    async def catch_up(self) -> None:
        """A round trip on the listening connection: PostgreSQL sends the notifications of transactions committed
        before it ahead of its answer, so their ids are pending once it returns."""
        async with self.lock:
            await self.connection.fetchval("SELECT 1")

    def _notified(self, _connection, _pid, _channel, payload: str) -> None:
        if payload.isdigit():
            self.pending.append(int(payload))
            self.wake()

    async def fetch(self, kinds: tuple[str, ...] | None = None) -> list[StreamEvent]:
        """The next events (`kinds`: only those, of every id pending)."""
        cut = len(self.pending) if kinds is not None else BATCH
        ids, self.pending = self.pending[:cut], self.pending[cut:]
        if not ids:
            return []
        query = select(StreamEvent).where(StreamEvent.id.in_(ids))
        if kinds is not None:
            query = query.where(StreamEvent.kind.in_(kinds))
        self.seen_max = max(self.seen_max, *ids)
        async with self.sessions() as session:
            return list((await session.execute(query.order_by(StreamEvent.id))).scalars())

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()


class StreamHub:
    def __init__(self, runtime: Runtime, poll_seconds: float = POLL_SECONDS):
        self.runtime = runtime
        self.caches = runtime.caches
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self.joining: tuple[list[Subscriber], asyncio.Task] | None = None  # the batch of subscribers waiting
        self.woken = asyncio.Event()
        self.lock = asyncio.Lock()  # one pump at a time: the loop's, or a batch of new subscribers' catching up
        postgres = runtime.settings.database_url.startswith("postgresql")
        self.source = _PostgresSource(runtime, self.wake) if postgres else _SqliteSource(runtime)
        self.task: asyncio.Task | None = None
        self.ending = False
        self.stopping = False
        # commits in this process wake the pump, and apply their `access_ended` events before they answer
        effects.handle(runtime.sessions, **{STREAM: lambda _: self.wake(), ACCESS_ENDED: self._ended})

    def wake(self) -> None:
        self.woken.set()

    async def subscribe(self, subscriber: Subscriber) -> None:
        """Start delivering to `subscriber`: events committed from now on reach it (those committed before, the
        source caught up with, are handed to the others first). Joins the batch waiting to be admitted."""
        if self.joining is None:
            batch: list[Subscriber] = []
            self.joining = (batch, asyncio.create_task(self._admit(batch)))
        batch, admitted = self.joining
        batch.append(subscriber)
        try:
            await asyncio.shield(admitted)
        except asyncio.CancelledError:  # the client went away: the batch goes on without it
            batch.remove(subscriber)
            self.unsubscribe(subscriber)
            raise
        if self.ending:
            subscriber.close()

    async def _admit(self, batch: list[Subscriber]) -> None:
        """Once the pump running now is done, close the batch: catch up, pump, then add its subscribers."""
        async with self.lock:
            self.joining = None
            await self._ready()
            await self.source.catch_up()
            await self._pump()
            self.subscribers.update(batch)
            self._counted()

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self._counted()

    def _counted(self) -> None:
        process_metrics().streams.set(len(self.subscribers))

    def _ended(self, ids: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
        self.end_access({"token_ids": list(ids[0]), "actor_ids": list(ids[1])})

    def end_access(self, data: dict) -> None:
        """An `access_ended` event: close the streams of its tokens and members; the caches forget them."""
        tokens, actors = set(data.get("token_ids") or ()), set(data.get("actor_ids") or ())
        self._close(lambda s: s.token_id in tokens or s.viewer_id in actors)
        self.caches.saw(ACCESS_ENDED, data)

    def _close(self, which: Callable[[Subscriber], bool]) -> None:
        for subscriber in [s for s in self.subscribers if which(s)]:
            subscriber.close()
            self.subscribers.discard(subscriber)
        self._counted()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())
        self.wake()  # the caches start listening at once

    def end_streams(self) -> None:
        """Close every subscriber, and any that comes from now on: the process is stopping."""
        self.ending = True
        for subscriber in list(self.subscribers):
            subscriber.close()

    async def stop(self) -> None:
        """Close every stream; let the pump finish what it is doing (a cancelled connect leaks an error)."""
        self.end_streams()
        if self.task is not None:
            self.stopping = True
            self.wake()
            try:
                await asyncio.wait_for(asyncio.shield(self.task), STOP_SECONDS)
            except asyncio.TimeoutError:
                self.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.task
        await self.source.close()

    async def _ready(self) -> None:
        if await self.source.ready():
            log.warning("streaming listener was away too long; closing every stream (an access_ended may be missed)")
            self._close(lambda s: True)
            self.caches.clear()
        self.caches.listening()  # events committed from now on are read

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time() + PRUNE_SECONDS
        while True:  # pumps at once: what other processes commit from the start on is read
            try:
                await self.pump()
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_SECONDS
                    await self.prune()
            except Exception:
                log.exception("streaming pump failed; retrying")
                await asyncio.sleep(self.poll_seconds)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.woken.wait(), self.poll_seconds)
            self.woken.clear()
            if self.stopping:
                return

    async def pump(self) -> int:
        """Deliver every new event to the subscribers; returns how many events were read."""
        await self._ready()
        async with self.lock:
            return await self._pump()

    async def _pump(self) -> int:
        count = 0
        # Without subscribers only what the process's caches need is read.
        kinds = None if self.subscribers else (*FOR_THE_PROCESS, *self.caches.kinds)
        while events := await self.source.fetch(kinds):
            count += len(events)
            for event in events:
                if event.kind == ACCESS_ENDED:
                    self.end_access(event.data)
                else:
                    self.caches.saw(event.kind, event.data)
            streamed = [event for event in events if event.kind not in FOR_THE_PROCESS]
            if not (self.subscribers and streamed):
                continue
            async with self.runtime.sessions() as session:
                for event in streamed:
                    try:
                        for subscriber, message in await deliveries(session, event.kind, event.data,
                                                                    list(self.subscribers), self.runtime):
                            subscriber.offer(message)
                    except Exception:
                        log.exception("could not stream event %s (%s)", event.id, event.kind)
        return count

    async def prune(self) -> None:
        async with self.runtime.sessions() as session:
            await session.execute(delete(StreamEvent).where(
                StreamEvent.created_at < utcnow() - timedelta(seconds=KEEP_SECONDS)))
            await session.commit()
