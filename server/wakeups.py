"""Wake-ups between processes (PostgreSQL): work queued in one process reaches the idle workers of every other.

A worker with nothing to do sleeps up to IDLE_WAIT (server.jobs.worker); work queued in its own process wakes it
at once (Runtime.wake), but work queued elsewhere (a web process's inbox, a post's deliveries, another worker) it
found only at its next poll, so that every activity waited up to that long before any worker looked. On PostgreSQL
the process that committed the work NOTIFYs the queue's name on CHANNEL (`Announcer`), and each worker LISTENs
(`listen`) and sets that queue's event. A busy inbox commits hundreds of times a second and each NOTIFY takes
PostgreSQL's notification lock at commit, so a process sends at most one per queue per SPACING: a worker that is
busy does not sleep anyway, and an idle one hears within SPACING. Nothing depends on a notification arriving: a
lost one, or a lost listening connection (opened again after RETRY), costs only the wait for the next poll.
SQLite has no such channel: a separate `curbside worker` polls.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("curbside.wakeups")
CHANNEL = "curbside_queued"
SPACING = 0.05  # seconds between two NOTIFYs of one queue from one process
RETRY = 2.0  # seconds before listening again after the connection failed
_NOTIFY = text("SELECT pg_notify(:channel, queue) FROM unnest(CAST(:queues AS text[])) AS queue")


class Announcer:
    """Tells every listening process, after the commit that queued work, which queues have some."""

    def __init__(self, engine: AsyncEngine, spacing: float = SPACING):
        self.engine, self.spacing = engine, spacing
        self._due: set[str] = set()
        self._task: asyncio.Task | None = None

    def send(self, queue: str) -> None:
        """Announce `queue` soon (once for every call until the NOTIFY goes); outside an event loop, nothing."""
        self._due.add(queue)
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: a synchronous caller (a test, a script)
                self._task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        while self._due:
            queues, self._due = sorted(self._due), set()
            try:
                async with self.engine.connect() as connection:
                    await connection.execute(_NOTIFY, {"channel": CHANNEL, "queues": queues})
                    await connection.commit()
            except Exception as exc:  # the workers' poll finds the work anyway
                log.warning("could not announce queued work (%s): %s", ", ".join(queues), exc)
            await asyncio.sleep(self.spacing)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task], timeout=1.0)
            self._task.cancel()


async def listen(database_url: str, heard: Callable[[str], None], retry: float = RETRY) -> None:
    """Call `heard(queue)` for every queue announced on the database, until cancelled (run as a task)."""
    import asyncpg

    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    while True:
        try:
            connection = await asyncpg.connect(url)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot listen for queued work (polling meanwhile): %s", exc)
            await asyncio.sleep(retry)
            continue
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, lambda _c, _pid, _channel, queue: heard(queue))
            await lost.wait()
            log.warning("the connection listening for queued work was lost: listening again")
        finally:
            with contextlib.suppress(Exception):
                await connection.close()
