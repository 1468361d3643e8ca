"""Idle workers hear of queued work at once: in their own process (both engines), and from other processes through
PostgreSQL's NOTIFY (server.wakeups), however long their idle poll."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from server import wakeups
from server.db import effects
from server.jobs import worker as worker_module
from server.jobs.inbox import claim
from server.jobs.worker import Worker
from server.runtime import Runtime
from server.services.federation.inbox.intake import Row, close_intake, intake_of

POLL = 30.0  # the idle poll, made long: only a wake-up can explain work taken within seconds


class Claiming:
    """The inbox queue's runner, claiming with the real claim (its items' ids kept) and handling nothing."""

    name = "inbox"

    def __init__(self):
        self.claimed: list[int] = []
        self.rounds = 0

    async def run_once(self, runtime: Runtime) -> int:
        self.rounds += 1
        items = await claim(runtime, 10)
        self.claimed += [item.id for item in items]
        return len(items)


class Holding(Claiming):
    """A worker busy with what it claimed (a long batch) until `release`: it does not look at the queue meanwhile."""

    def __init__(self, release: asyncio.Event):
        super().__init__()
        self.release = release

    async def run_once(self, runtime: Runtime) -> int:
        count = await super().run_once(runtime)
        if count:
            await self.release.wait()
        return count


class Counting:
    name = "deliveries"

    def __init__(self):
        self.rounds = 0

    async def run_once(self, runtime: Runtime) -> int:
        self.rounds += 1
        return 0


@pytest.fixture
async def process(settings):
    """Runtimes as separate processes have them: each its own engine, pool and connections."""
    made: list[Runtime] = []

    def make() -> Runtime:
        made.append(Runtime.create(dataclasses.replace(settings, inprocess_worker=False)))
        return made[-1]

    yield make
    for runtime in made:
        await runtime.close()


def postgresql_only(runtime: Runtime) -> None:
    if runtime.settings.is_sqlite:
        pytest.skip("SQLite has no channel between processes: a separate worker polls")


async def until(condition, timeout: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"not within {timeout} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def queue_inbox(runtime: Runtime, n: int) -> None:
    """As the inbox queues a verified activity (the app's intake writer)."""
    state = SimpleNamespace(runtime=runtime)
    try:
        await intake_of(state).writer.add(Row(f"https://a.example/activities/{n}", "https://a.example/users/a",
                                              json.dumps({"n": n})))
    finally:
        await close_intake(state)


@pytest.fixture
def long_poll(monkeypatch):
    monkeypatch.setattr(worker_module, "IDLE_WAIT", POLL)


async def started(worker: Worker, runner) -> asyncio.Task:
    task = asyncio.create_task(worker.run())
    await until(lambda: runner.rounds >= 1, 10)  # its first round found nothing: it sleeps
    await asyncio.sleep(0.3)  # and listens
    return task


async def test_wakeups_inbox_commit_wakes_the_worker_of_its_process(process, long_poll):
    runtime = process()
    runner = Claiming()
    worker = Worker(runtime, [runner])
    task = await started(worker, runner)
    try:
        await queue_inbox(runtime, 1)
        assert await until(lambda: len(runner.claimed) == 1, 5) < 5
    finally:
        worker.stop()
        await asyncio.wait_for(task, 5)


async def test_wakeups_idle_worker_takes_work_queued_by_another_process_while_one_is_busy(process, long_poll):
    web = process()
    postgresql_only(web)
    release = asyncio.Event()
    runners = [Holding(release), Holding(release)]
    workers = [Worker(process(), [runner]) for runner in runners]
    tasks = [await started(worker, runner) for worker, runner in zip(workers, runners)]
    try:
        await queue_inbox(web, 1)  # announced: one of the two idle workers claims it, and holds its batch
        await until(lambda: sum(len(r.claimed) for r in runners) == 1, 5)
        idle = next(r for r in runners if not r.claimed)
        await queue_inbox(web, 2)  # the other one, idle, must take this one at once, not at its next poll
        assert await until(lambda: len(idle.claimed) == 1, 5) < 5
    finally:
        release.set()
        for worker in workers:
            worker.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)


async def test_wakeups_a_services_committed_wake_reaches_other_processes(process, long_poll):
    web, work = process(), process()
    postgresql_only(web)
    runner = Counting()
    worker = Worker(work, [runner])
    task = await started(worker, runner)
    try:
        async with web.sessions() as session:
            effects.wake(session, "deliveries")  # as enqueue_activity declares it
            await session.commit()
        await until(lambda: runner.rounds == 2, 5)
    finally:
        worker.stop()
        await asyncio.wait_for(task, 5)


async def test_wakeups_announcer_sends_one_notify_for_a_burst(process):
    runtime = process()
    postgresql_only(runtime)
    heard: list[str] = []
    listening = asyncio.create_task(wakeups.listen(runtime.settings.database_url, heard.append))
    try:
        await asyncio.sleep(0.5)
        for _ in range(50):
            runtime.announcer.send("inbox")
        runtime.announcer.send("deliveries")
        await until(lambda: sorted(heard) == ["deliveries", "inbox"], 5)
        await asyncio.sleep(0.3)
        assert sorted(heard) == ["deliveries", "inbox"]  # 51 calls in one burst: one NOTIFY of each queue
    finally:
        listening.cancel()


async def test_wakeups_listener_listens_again_after_losing_its_connection(process):
    runtime = process()
    postgresql_only(runtime)
    heard: list[str] = []
    listening = asyncio.create_task(wakeups.listen(runtime.settings.database_url, heard.append, retry=0.1))
    try:
        await asyncio.sleep(0.5)
        async with runtime.engine.connect() as connection:
            ended = await connection.scalar(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
                " AND datname = current_database()"))
            await connection.commit()
        assert ended == 1
        await asyncio.sleep(1.0)
        runtime.announcer.send("inbox")
        await until(lambda: heard == ["inbox"], 5)
    finally:
        listening.cancel()
