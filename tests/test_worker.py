"""The worker loop: runs its runners, sleeps when idle, wakes on runtime.wake, survives failures, stops."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from loopback_server import Reply, serve
from sqlalchemy import select
from test_delivery_runner import enqueue, member, runtime  # noqa: F401  (fixtures)

from server.app import create_app
from server.db.models import Delivery
from server.jobs import worker as worker_module
from server.jobs.worker import Worker
from server.services.accounts import NewAccount, create_account


class FakeRunner:
    def __init__(self, name="deliveries", batches=(), fail_first=False):
        self.name = name
        self.batches = list(batches)
        self.calls: list[float] = []
        self.fail_first = fail_first
        self.stopped = False

    async def run_once(self, runtime) -> int:
        self.calls.append(time.monotonic())
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("database went away")
        return self.batches.pop(0) if self.batches else 0

    async def stop(self, runtime) -> None:
        self.stopped = True


async def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_worker_runs_busy_runners_back_to_back_then_idles(runtime, monkeypatch):
    monkeypatch.setattr(worker_module, "IDLE_WAIT", 30.0)
    runner = FakeRunner(batches=[5, 3, 1])
    worker = Worker(runtime, [runner])
    task = asyncio.create_task(worker.run())
    await wait_for(lambda: len(runner.calls) == 4)  # three batches, then one idle round
    await asyncio.sleep(0.1)
    assert len(runner.calls) == 4  # asleep: nothing to do and nobody woke it
    worker.stop()
    await asyncio.wait_for(task, 2)
    assert runner.stopped


async def test_worker_wakes_at_once_on_runtime_wake(runtime, monkeypatch):
    monkeypatch.setattr(worker_module, "IDLE_WAIT", 30.0)
    inbox, deliveries = FakeRunner("inbox"), FakeRunner("deliveries")
    worker = Worker(runtime, [inbox, deliveries])
    task = asyncio.create_task(worker.run())
    await wait_for(lambda: len(deliveries.calls) == 1)
    woken = time.monotonic()
    runtime.wake("deliveries")
    await wait_for(lambda: len(deliveries.calls) == 2, timeout=1.0)
    assert deliveries.calls[1] - woken < 0.2
    worker.stop()
    await asyncio.wait_for(task, 2)


async def test_worker_logs_a_failing_runner_and_keeps_going(runtime, monkeypatch, caplog):
    monkeypatch.setattr(worker_module, "ERROR_PAUSE", 0.05)
    runner = FakeRunner(batches=[0, 2], fail_first=True)
    worker = Worker(runtime, [runner])
    with caplog.at_level(logging.DEBUG, logger="curbside.worker"):
        task = asyncio.create_task(worker.run())
        await wait_for(lambda: len(runner.calls) >= 3)
        worker.stop()
        await asyncio.wait_for(task, 2)
    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert failures and "runner deliveries failed" in failures[0].getMessage()
    assert failures[0].exc_info[1].args == ("database went away",)
    assert any(r.levelno == logging.DEBUG and "batch of 2" in r.getMessage() for r in caplog.records)


async def test_worker_inprocess_in_serve_sends_queued_work_at_once(settings):
    settings = dataclasses.replace(settings, allow_http=True, allow_private_addresses=True, inprocess_worker=True)
    app = create_app(settings)
    arrived = asyncio.Event()

    async def handler(request):
        arrived.set()
        return Reply(202)

    async with serve(handler) as server, app.router.lifespan_context(app):
        rt = app.state.runtime
        async with rt.sessions() as session:
            account = await create_account(session, rt.urls, settings.domain,
                                           NewAccount(username="bob", email="bob@example.org"))
            await session.commit()
        await asyncio.sleep(0.6)  # let the worker fall asleep: what follows must be the wake, not a poll
        started = time.monotonic()
        await enqueue(rt, account.actor, [server.url("/inbox")])
        rt.wake("deliveries")
        await asyncio.wait_for(arrived.wait(), 5)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.2)
    assert elapsed < 0.4
    async with rt.sessions() as session:  # the engine is disposed, but a new connection still works
        states = (await session.execute(select(Delivery.state))).scalars().all()
    assert states == ["sent"]


async def test_worker_inprocess_only_when_the_setting_is_on(settings):
    for enabled in (True, False):
        app = create_app(dataclasses.replace(settings, inprocess_worker=enabled))
        before = asyncio.all_tasks()
        async with app.router.lifespan_context(app):
            started = asyncio.all_tasks() - before
            running = [t for t in started if "Worker.run" in repr(t.get_coro())]
        assert len(running) == int(enabled)
        assert all(t.done() for t in running)  # stopped with the app
