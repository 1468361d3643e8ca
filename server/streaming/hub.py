"""The streaming hub of one web process: connected subscribers, and a pump that reads committed stream
events (server.services.stream_events) and hands each subscriber what it may see.

Where events come from, by engine:
- SQLite: the `stream_events` table, read by id (ids grow in commit order: one writer at a time). The
  committing process wakes its own hub at once; other processes (a separate `curbside worker`) are seen
  at the next poll, within POLL_SECONDS.
- PostgreSQL: LISTEN on one dedicated connection; every transaction that writes an event NOTIFYs its id,
  which PostgreSQL delivers to every listening process at commit. Rows are then read by those ids.
Rows older than KEEP_SECONDS are deleted by whichever web process gets there first.

Watchers (`watch`) see every event too: the caches of public documents drop edited and deleted posts
this way, whichever process changed them.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from server.db.models import StreamEvent
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.stream_events import CHANNEL, WAKE_KEY

log = logging.getLogger("curbside.streaming")

POLL_SECONDS = 1.0
KEEP_SECONDS = 300
PRUNE_SECONDS = 60
QUEUE_SIZE = 200  # messages a slow client may fall behind before it is disconnected
BATCH = 500


@dataclass(frozen=True)
class Stream:
    """A stream as Mastodon names it: `user`, `public:local`, (`hashtag`, tag)..."""
    name: str
    tag: str | None = None

    def label(self) -> list[str]:
        return [self.name, self.tag] if self.tag else [self.name]


@dataclass(frozen=True)
class Message:
    stream: Stream
    event: str
    payload: str


class Closed(Exception):
    """The hub dropped this subscriber (it fell too far behind, or the process is stopping)."""


@dataclass(eq=False)
class Subscriber:
    viewer_id: int
    scopes: frozenset[str]
    streams: set[Stream] = field(default_factory=set)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    closed: bool = False

    def offer(self, message: Message) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next(self, timeout: float) -> Message | None:
        """The next message, None after `timeout` seconds of quiet; Closed when dropped."""
        try:
            message = await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None
        if message is None:
            raise Closed()
        return message


class Watcher(Protocol):
    kinds: tuple[str, ...]  # the kinds of event it wants to see

    def listening(self) -> None: ...  # events committed from now on will be seen

    def saw(self, kind: str, data: dict) -> None: ...


class _SqliteSource:
    def __init__(self, runtime: Runtime):
        self.sessions = runtime.sessions
        self.last_id: int | None = None

    async def ready(self) -> None:
        if self.last_id is None:
            async with self.sessions() as session:
                self.last_id = await session.scalar(select(func.max(StreamEvent.id))) or 0

    def idle(self) -> None:
        self.last_id = None  # nobody listens: start from the newest row when someone does

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
        self.connection = None
        self.lock = asyncio.Lock()

    async def ready(self) -> None:
        async with self.lock:
            if self.connection is not None and not self.connection.is_closed():
                return
            import asyncpg

            self.connection = await asyncpg.connect(self.url.render_as_string(hide_password=False))
            await self.connection.add_listener(CHANNEL, self._notified)

    def _notified(self, _connection, _pid, _channel, payload: str) -> None:
        if payload.isdigit():
            self.pending.append(int(payload))
            self.wake()

    def idle(self) -> None:
        self.pending.clear()

    async def fetch(self, kinds: tuple[str, ...] | None = None) -> list[StreamEvent]:
        """The next events (`kinds`: only those, of every id pending)."""
        cut = len(self.pending) if kinds is not None else BATCH
        ids, self.pending = self.pending[:cut], self.pending[cut:]
        if not ids:
            return []
        query = select(StreamEvent).where(StreamEvent.id.in_(ids))
        if kinds is not None:
            query = query.where(StreamEvent.kind.in_(kinds))
        async with self.sessions() as session:
            return list((await session.execute(query.order_by(StreamEvent.id))).scalars())

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()


class StreamHub:
    def __init__(self, runtime: Runtime, poll_seconds: float = POLL_SECONDS):
        self.runtime = runtime
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self.watchers: list[Watcher] = []
        self.woken = asyncio.Event()
        postgres = runtime.settings.database_url.startswith("postgresql")
        self.source = _PostgresSource(runtime, self.wake) if postgres else _SqliteSource(runtime)
        self.task: asyncio.Task | None = None
        runtime.sessions.configure(info={WAKE_KEY: self.wake})  # commits in this process wake the pump

    def wake(self) -> None:
        self.woken.set()

    async def subscribe(self, subscriber: Subscriber) -> None:
        """Start delivering to `subscriber`: events committed from now on reach it."""
        await self.source.ready()
        self.subscribers.add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def watch(self, watcher: Watcher) -> None:
        self.watchers.append(watcher)

    def _listening(self) -> bool:
        return bool(self.subscribers or self.watchers)

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())
        self.wake()  # watchers start listening at once

    async def stop(self) -> None:
        for subscriber in list(self.subscribers):
            subscriber.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.source.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time() + PRUNE_SECONDS
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.woken.wait(), self.poll_seconds)
            self.woken.clear()
            try:
                if self._listening():
                    await self.source.ready()
                    for watcher in self.watchers:
                        watcher.listening()
                    await self.pump()
                else:
                    self.source.idle()
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_SECONDS
                    await self.prune()
            except Exception:
                log.exception("streaming pump failed; retrying")
                await asyncio.sleep(self.poll_seconds)

    async def pump(self) -> int:
        """Deliver every new event to the subscribers; returns how many events were read."""
        from server.streaming.routing import deliveries

        count = 0
        # Without subscribers only the watchers listen: only the events they want are read.
        kinds = None if self.subscribers else tuple({kind for watcher in self.watchers for kind in watcher.kinds})
        while events := await self.source.fetch(kinds):
            count += len(events)
            for event in events:
                for watcher in self.watchers:
                    if event.kind in watcher.kinds:
                        watcher.saw(event.kind, event.data)
            if not self.subscribers:
                continue
            async with self.runtime.sessions() as session:
                for event in events:
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
