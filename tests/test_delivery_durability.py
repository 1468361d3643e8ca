"""Real `curbside worker` processes: SIGKILL loses no delivery and re-sends at most what was in flight;
two workers on one database never send a row twice."""
from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections import Counter

import pytest
from loopback_server import Reply, serve
from sqlalchemy import func, select

from server.db.models import Delivery
from server.runtime import Runtime
from server.services.accounts.members import NewAccount, create_account
from server.services.federation.delivery import enqueue_activity
from server.settings import load_settings
from tests.support.instances import CURBSIDE, ROOT, Instance

pytestmark = pytest.mark.integration
CONCURRENCY = 8
ACTIVITIES = 200
HOSTS = 4


class Receivers:
    """HOSTS loopback inboxes that answer 202 after a short while and count every POST by activity id."""

    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()
        self.servers = []

    async def handler(self, request):
        self.posts[json.loads(request.body)["id"]] += 1
        await asyncio.sleep(0.03)
        return Reply(202)


def start_worker(instance: Instance, name: str) -> subprocess.Popen:
    log = open(instance.data_dir / f"{name}.log", "ab")
    return subprocess.Popen(CURBSIDE + ["worker", "--concurrency", str(CONCURRENCY), "--lease", "3"],
                            env={**instance.env, "CURBSIDE_LOG_LEVEL": "DEBUG"}, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)


async def queue_activities(runtime: Runtime, inboxes: list[str]) -> list[str]:
    """Queue ACTIVITIES activities, each to one of the inboxes; returns their ids."""
    async with runtime.sessions() as session:
        account = await create_account(session, runtime.urls, runtime.settings.domain,
                                       NewAccount(username="carol", email="carol@example.org"))
        ids = []
        for i in range(ACTIVITIES):
            ids.append(f"{account.actor.uri}/activities/{i}")
            await enqueue_activity(session, {"id": ids[-1], "type": "Create"}, account.actor,
                                   inboxes=[inboxes[i % len(inboxes)]])
        await session.commit()
    return ids


async def sent_all(runtime: Runtime) -> bool:
    async with runtime.sessions() as session:
        sent = await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.state == "sent"))
    return sent == ACTIVITIES


async def wait_for(condition, timeout: float, what: str) -> None:
    """Poll `condition` (a function, sync or async) until it is true."""
    deadline = time.monotonic() + timeout
    while not ((await result) if asyncio.iscoroutine(result := condition()) else result):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def run_scenario(tmp_path, database_url, scenario) -> None:
    instance = Instance(tmp_path / "worker", database_url=database_url)
    instance.data_dir.mkdir(parents=True)
    receivers = Receivers()
    runtime = Runtime.create(load_settings(instance.env))
    async with serve(receivers.handler) as a, serve(receivers.handler) as b, \
            serve(receivers.handler) as c, serve(receivers.handler) as d:
        try:
            await scenario(instance, receivers, runtime,
                           lambda: queue_activities(runtime, [s.url("/inbox") for s in (a, b, c, d)]))
        finally:
            await runtime.close()


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


async def test_delivery_durability_sigkill_loses_nothing_and_resends_at_most_in_flight(tmp_path, database_url):
    async def scenario(instance, receivers, runtime, queue):
        ids = await queue()
        worker = start_worker(instance, "first")
        try:
            await wait_for(lambda: sum(receivers.posts.values()) >= 60, 30, "the first deliveries")
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        finally:
            worker.kill()
        arrived_before_restart = len(receivers.posts)
        assert arrived_before_restart < ACTIVITIES  # killed mid-way
        worker = start_worker(instance, "second")
        try:
            await wait_for(lambda: sent_all(runtime), 180, "every delivery to be sent")  # generous: a busy CI machine
        finally:
            assert stop(worker) == 0
        assert set(receivers.posts) == set(ids)  # none lost
        duplicates = sum(receivers.posts.values()) - len(receivers.posts)
        assert duplicates <= CONCURRENCY  # at most the POSTs in flight when killed

    await run_scenario(tmp_path, database_url, scenario)


async def test_delivery_durability_two_worker_processes_never_send_a_row_twice(tmp_path, database_url):
    async def scenario(instance, receivers, runtime, queue):
        workers = [start_worker(instance, "one"), start_worker(instance, "two")]
        logs = [instance.data_dir / f"{name}.log" for name in ("one", "two")]
        try:
            await wait_for(lambda: all("worker started" in log.read_text() for log in logs), 30, "the workers")
            ids = await queue()
            await wait_for(lambda: sent_all(runtime), 180, "every delivery to be sent")  # generous: a busy CI machine
        finally:
            codes = [stop(w) for w in workers]
        assert codes == [0, 0]
        assert set(receivers.posts) == set(ids)
        assert set(receivers.posts.values()) == {1}
        for log in logs:
            text = log.read_text()
            assert "claimed a batch" in text and "worker stopped" in text  # both worked, both stopped cleanly

    await run_scenario(tmp_path, database_url, scenario)
