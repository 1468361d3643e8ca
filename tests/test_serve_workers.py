"""`curbside serve` runs the queues in worker processes it supervises: restarted when they die,
stopped with it; what its inbox accepts is drained by them."""
import asyncio
import os
import signal
import sqlite3
import time

import httpx
import pytest

from tests.support.instances import Instance
from tests.support.instances import wait_until as _wait
from tests.test_inbox_durability import _seed_actors, _signed_posts

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def _post(instance: Instance, posts) -> None:
    async with httpx.AsyncClient(base_url=instance.base_url, timeout=30) as client:
        for _, body, headers in posts:
            assert (await client.post("/inbox", content=body, headers=headers)).status_code == 202


def _counts(database) -> tuple[int, int]:
    """(inbox items not done yet, posts stored)."""
    with sqlite3.connect(database) as db:
        waiting = db.execute("SELECT count(*) FROM inbox_items WHERE state != 'done'").fetchone()[0]
        return waiting, db.execute("SELECT count(*) FROM posts").fetchone()[0]


@pytest.fixture
def instance(tmp_path):
    instance = Instance(tmp_path / "a")
    instance.data_dir.mkdir(parents=True)
    instance.cli("migrate")
    instance.people = asyncio.run(_seed_actors(f"sqlite+aiosqlite:///{instance.data_dir / 'curbside.db'}", 3))
    yield instance.start()
    instance.stop()


def test_serve_drains_what_its_inbox_accepted_in_a_worker_process(instance):
    posts = _signed_posts(instance, instance.people)[:30]
    [worker] = _wait(instance.worker_pids, what="a worker process")
    asyncio.run(_post(instance, posts))
    _wait(lambda: _counts(instance.data_dir / "curbside.db") == (0, 30), what="the queue drained")
    assert worker != instance.process.pid and instance.worker_pids() == [worker]


def test_serve_starts_another_worker_when_one_is_killed(instance):
    [first] = _wait(instance.worker_pids, what="a worker process")
    os.kill(first, signal.SIGKILL)
    [second] = _wait(lambda: [p for p in instance.worker_pids() if p != first], what="a new worker")
    asyncio.run(_post(instance, _signed_posts(instance, instance.people)[:10]))
    _wait(lambda: _counts(instance.data_dir / "curbside.db") == (0, 10), what="the new worker draining")
    assert not _alive(first) and _alive(second)


def test_serve_sigterm_stops_its_workers_and_exits_cleanly(instance):
    workers = _wait(instance.worker_pids, what="a worker process")
    _wait(lambda: "worker started" in instance.log.read_text(), what="the worker loop")
    instance.process.send_signal(signal.SIGTERM)
    assert instance.process.wait(timeout=20) == 0
    assert not any(_alive(pid) for pid in workers)
    assert "worker stopped" in instance.log.read_text()


def test_serve_workers_stop_when_serve_is_killed(instance):
    workers = _wait(instance.worker_pids, what="a worker process")
    instance.kill()
    _wait(lambda: not any(_alive(pid) for pid in workers), what="the orphaned worker to stop")


def test_serve_queue_workers_zero_or_setting_off_starts_none(tmp_path):
    for name, env, args in (("off", {"CURBSIDE_INPROCESS_WORKER": "false"}, ()),
                            ("zero", {}, ("--queue-workers", "0"))):
        instance = Instance(tmp_path / name, env=env)
        instance.start(extra_args=args)
        try:
            time.sleep(1.0)
            assert instance.worker_pids() == []
        finally:
            instance.stop()


def test_serve_queue_workers_starts_that_many(tmp_path):
    instance = Instance(tmp_path / "a").start(extra_args=("--queue-workers", "2"))
    try:
        assert len(_wait(lambda: len(instance.worker_pids()) == 2 and instance.worker_pids(), what="2 workers")) == 2
    finally:
        instance.stop()


def test_serve_workers_yield_the_cpu_to_requests(instance):
    [worker] = _wait(instance.worker_pids, what="a worker process")
    assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, instance.process.pid)
