"""The worker loop: runs its runners, sleeps when idle, wakes on runtime.wake, survives failures, stops."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

from test_delivery_runner import runtime  # noqa: F401  (fixture)

from server.app import create_app
from server.jobs import worker as worker_module
from server.jobs.worker import Worker


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


async def test_worker_never_runs_on_the_event_loop_of_the_web_app(settings):
    # serve runs the queues in processes of its own (tests/test_serve_workers.py)
    for enabled in (True, False):
        app = create_app(dataclasses.replace(settings, inprocess_worker=enabled))
        before = asyncio.all_tasks()
        async with app.router.lifespan_context(app):
            started = asyncio.all_tasks() - before
            assert not [t for t in started if "Worker.run" in repr(t.get_coro())]
