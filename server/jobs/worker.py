"""The worker loop: runs the queue runners until told to stop.

A runner is any object with `name: str` (its queue, a key of Runtime.wakeups) and
`async def run_once(self, runtime) -> int` (claim and handle one batch; how many rows; 0 when idle),
optionally `async def stop(self, runtime)` (finish in-flight work, hand the rest back). When every
runner is idle the loop sleeps up to IDLE_WAIT, or until `runtime.wake(queue)` is called by code
that just queued work in the same process, or (PostgreSQL) another process announces work queued
there (server.wakeups).

`curbside worker` runs it as its own process (SIGTERM/SIGINT stop it gracefully); `curbside serve`
starts such processes itself when settings.inprocess_worker is true (server.jobs.supervisor), so that
background work never shares the event loop (nor the GIL) of the requests.
"""
from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import signal
from typing import Protocol

from server import wakeups
from server.runtime import Runtime

log = logging.getLogger("curbside.worker")
IDLE_WAIT = 0.5
ERROR_PAUSE = 1.0  # after a runner raised (database down...), so the loop does not spin


class Runner(Protocol):
    name: str

    async def run_once(self, runtime: Runtime) -> int: ...


def default_runners(concurrency: int = 32, lease: float | None = None) -> list[Runner]:
    from server.jobs.blocklists import BlocklistRunner
    from server.jobs.deliveries import DEFAULT_LEASE, DeliveryRunner
    from server.jobs.imports import ImportRunner
    from server.jobs.push import PushRunner
    from server.jobs.scheduled import ScheduledRunner
    from server.jobs.verifications import VerificationRunner

    runners: list[Runner] = [DeliveryRunner(concurrency=concurrency, lease=lease or DEFAULT_LEASE), PushRunner(),
                             VerificationRunner(), ScheduledRunner(), BlocklistRunner(), ImportRunner()]
    # The inbox runner lives in server/jobs/inbox.py once it exists (written by another change).
    if importlib.util.find_spec("server.jobs.inbox") is not None:
        from server.jobs import inbox

        if hasattr(inbox, "InboxRunner"):
            runners.insert(0, inbox.InboxRunner())
    return runners


class Worker:
    """Loops over `runners` until `stop()`; `run()` returns once they have all stopped."""

    def __init__(self, runtime: Runtime, runners: list[Runner]) -> None:
        self.runtime, self.runners = runtime, runners
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        log.info("worker started: %s", ", ".join(r.name for r in self.runners))
        listening = self._listen()
        try:
            while not self._stop.is_set():
                handled, failed = await self._round()
                if failed:
                    await self._sleep(ERROR_PAUSE, wakeable=False)
                elif not handled:
                    await self._sleep(IDLE_WAIT, wakeable=True)
        finally:
            if listening is not None:
                listening.cancel()
            for runner in self.runners:
                stop = getattr(runner, "stop", None)
                if stop is not None:
                    await stop(self.runtime)
            log.info("worker stopped")

    def _listen(self) -> asyncio.Task | None:
        """PostgreSQL: work other processes queue wakes this worker at once (server.wakeups), not at its next poll."""
        if self.runtime.announcer is None:
            return None
        return asyncio.create_task(wakeups.listen(self.runtime.settings.database_url, self.runtime.wake))

    async def _round(self) -> tuple[int, bool]:
        handled, failed = 0, False
        for runner in self.runners:
            # Cleared before the run: work queued during it sets the event again and is not missed.
            self.runtime.wakeups.setdefault(runner.name, asyncio.Event()).clear()
            try:
                count = await runner.run_once(self.runtime)
            except Exception:
                log.warning("runner %s failed", runner.name, exc_info=True)
                failed = True
                continue
            if count:
                log.debug("%s: claimed a batch of %d", runner.name, count)
            handled += count
        return handled, failed

    async def _sleep(self, seconds: float, *, wakeable: bool) -> None:
        events = [self._stop] + ([self.runtime.wakeups[r.name] for r in self.runners] if wakeable else [])
        waiters = [asyncio.create_task(e.wait()) for e in events]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()


async def run_worker(runtime: Runtime, runners: list[Runner], *, parent: int | None = None) -> None:
    """Run a Worker in this process until SIGTERM or SIGINT, then stop it gracefully; also when
    process `parent` (the `curbside serve` that started it) is no longer its parent."""
    worker = Worker(runtime, runners)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    orphaned = asyncio.create_task(_stop_when_orphaned(worker, parent)) if parent else None
    try:
        await worker.run()
    finally:
        if orphaned is not None:
            orphaned.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _stop_when_orphaned(worker: Worker, parent: int) -> None:
    while os.getppid() == parent:
        await asyncio.sleep(1.0)
    log.warning("the serving process %d is gone: stopping", parent)
    worker.stop()
