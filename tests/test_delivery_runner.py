"""The delivery runner against real HTTP servers on loopback: signed POSTs and what each answer leads to."""
from __future__ import annotations

import asyncio
import dataclasses
import random
from datetime import datetime, timedelta, timezone

import pytest
from loopback_server import Reply, Request, never, serve
from sqlalchemy import select

from federation.signatures import PublicKeyInfo, verify_request
from server.db.models import Delivery
from server.jobs.deliveries import MAX_ATTEMPTS, DeliveryRunner, backoff
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from tests.support import factories

# Noon tomorrow: after the real time rows are created at (their next_try_at), whatever the hour now.
T0 = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def runtime(settings):
    rt = Runtime.create(dataclasses.replace(settings, allow_http=True, allow_private_addresses=True,
                                            inprocess_worker=False))
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
async def member(runtime):
    async with runtime.sessions() as session:
        alice = await factories.member(session, runtime.urls, runtime.settings.domain, "alice")
        await session.commit()
        return alice


def answer(*replies: Reply):
    """A handler that gives these replies in turn, then the last one forever."""
    queue = list(replies)

    async def handler(request: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return handler


async def enqueue(runtime, member, inboxes, n=1, first=0):
    """Queue n activities to each inbox; returns their ids."""
    ids = [f"{member.uri}/activities/{i}" for i in range(first, first + n)]
    async with runtime.sessions() as session:
        for activity_id in ids:
            await enqueue_activity(session, {"id": activity_id, "type": "Create", "actor": member.uri},
                                   member, inboxes=inboxes)
        await session.commit()
    return ids


async def rows(runtime) -> list[Delivery]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def run(runner, runtime) -> int:
    count = await runner.run_once(runtime)
    await runner.wait_idle()
    return count


async def test_delivery_runner_posts_signed_activity_and_marks_it_sent(runtime, member):
    async with serve(answer(Reply(202))) as server:
        ids = await enqueue(runtime, member, [server.url("/inbox")])
        runner = DeliveryRunner()
        assert await run(runner, runtime) == 1
    [request] = server.requests
    assert (request.method, request.target) == ("POST", "/inbox")
    assert ids[0].encode() in request.body

    async def resolve(key_id, refresh):
        assert key_id == member.public_key_id
        return PublicKeyInfo(key_id, member.uri, member.public_key_pem)
    verified = await verify_request("POST", request.target, request.headers, request.body, resolve)
    assert verified.owner == member.uri
    [row] = await rows(runtime)
    assert (row.state, row.attempts) == ("sent", 0)
    assert row.sent_at is not None
    assert await run(runner, runtime) == 0  # nothing left to claim


async def test_delivery_runner_retries_server_errors_with_growing_waits(runtime, member):
    clock = Clock()
    async with serve(answer(Reply(500))) as server:
        await enqueue(runtime, member, [server.url("/inbox")])
        runner = DeliveryRunner(clock=clock, rng=random.Random(1))
        waits = []
        for attempt in range(1, 4):
            assert await run(runner, runtime) == 1
            [row] = await rows(runtime)
            assert (row.state, row.attempts, row.last_error) == ("queued", attempt, "HTTP 500")
            waits.append((row.next_try_at - clock.now).total_seconds())
            assert await run(runner, runtime) == 0  # not due yet
            clock.now = row.next_try_at
    assert len(server.requests) == 3
    assert waits[0] < waits[1] < waits[2]
    assert all(15 <= w <= backoff(n + 1, random.Random(0)) + 30 * (n + 2) for n, w in enumerate(waits))


async def test_delivery_runner_fails_after_the_last_attempt(runtime, member):
    clock = Clock()
    async with serve(answer(Reply(503))) as server:
        await enqueue(runtime, member, [server.url("/inbox")])
        async with runtime.sessions() as session:
            row = (await session.execute(select(Delivery))).scalar_one()
            row.attempts = MAX_ATTEMPTS - 1
            await session.commit()
        assert await run(DeliveryRunner(clock=clock), runtime) == 1
    [row] = await rows(runtime)
    assert (row.state, row.attempts, row.last_error) == ("failed", MAX_ATTEMPTS, "HTTP 503")


async def test_delivery_runner_retries_after_a_timeout(runtime, member):
    clock = Clock()
    async with serve(never) as server:
        await enqueue(runtime, member, [server.url("/inbox")])
        assert await run(DeliveryRunner(clock=clock, timeout=0.3), runtime) == 1
    [row] = await rows(runtime)
    assert (row.state, row.attempts) == ("queued", 1)
    assert "timed out" in row.last_error
    assert row.next_try_at > clock.now


async def test_delivery_runner_honours_retry_after(runtime, member):
    clock = Clock()
    async with serve(answer(Reply(429, {"Retry-After": "7200"}))) as server:
        await enqueue(runtime, member, [server.url("/inbox")])
        assert await run(DeliveryRunner(clock=clock), runtime) == 1
    [row] = await rows(runtime)
    assert row.next_try_at - clock.now >= timedelta(seconds=7200)
    assert row.next_try_at - clock.now < timedelta(seconds=7200 + 120)


async def test_delivery_runner_marks_410_gone_and_403_failed(runtime, member):
    async with serve(answer(Reply(410))) as gone, serve(answer(Reply(403))) as refused:
        await enqueue(runtime, member, [gone.url("/inbox"), refused.url("/inbox")])
        assert await run(DeliveryRunner(), runtime) == 2
    states = {row.inbox: (row.state, row.last_error) for row in await rows(runtime)}
    assert states == {gone.url("/inbox"): ("gone", "HTTP 410"), refused.url("/inbox"): ("failed", "HTTP 403")}
    assert await run(DeliveryRunner(), runtime) == 0  # final states are never claimed again


async def test_delivery_runner_refused_address_fails_without_connecting(settings, member, runtime):
    strict = Runtime.create(dataclasses.replace(runtime.settings, allow_private_addresses=False))
    try:
        async with serve(answer(Reply(202))) as server:
            await enqueue(runtime, member, [server.url("/inbox")])
            assert await run(DeliveryRunner(), strict) == 1
    finally:
        await strict.close()
    [row] = await rows(runtime)
    assert row.state == "failed" and "loopback" in row.last_error
    assert server.connections == 0


async def test_delivery_runner_limits_requests_per_host_and_overall(runtime, member):
    in_flight, peak = {}, {}

    def handler_for(name):
        async def handler(request):
            in_flight[name] = in_flight.get(name, 0) + 1
            peak[name] = max(peak.get(name, 0), in_flight[name])
            peak["all"] = max(peak.get("all", 0), sum(in_flight.values()))
            await asyncio.sleep(0.05)
            in_flight[name] -= 1
            return Reply(202)
        return handler

    async with serve(handler_for("a")) as a, serve(handler_for("b")) as b, serve(handler_for("c")) as c:
        await enqueue(runtime, member, [s.url("/inbox") for s in (a, b, c)], n=10)
        runner = DeliveryRunner(concurrency=5, per_host=2)
        while await run(runner, runtime):
            pass
    assert len(a.requests) == len(b.requests) == len(c.requests) == 10
    assert max(peak[h] for h in "abc") == 2
    assert peak["all"] == 5


async def test_delivery_runner_never_starts_a_row_its_lease_cannot_cover(runtime, member):
    clock = Clock()
    async with serve(answer(Reply(202))) as server:
        await enqueue(runtime, member, [server.url("/inbox")])
        runner = DeliveryRunner(clock=clock, lease=30, timeout=5)
        real_claim = runner._claim

        async def slow_claim(*args):
            claimed = await real_claim(*args)
            clock.advance(seconds=25)  # as if the rows waited that long for a free slot
            return claimed
        runner._claim = slow_claim
        assert await run(runner, runtime) == 1
        assert server.requests == []
        [row] = await rows(runtime)
        assert row.state == "queued"
        assert await run(runner, runtime) == 0  # still leased
        clock.advance(seconds=10)  # lease over: claimed again and sent
        runner._claim = real_claim
        assert await run(runner, runtime) == 1
    assert len(server.requests) == 1
    assert (await rows(runtime))[0].state == "sent"


async def test_delivery_runner_two_runners_never_send_a_row_twice(settings, runtime, member):
    other = Runtime.create(runtime.settings)  # its own engine and connections, as another process has
    received = []

    async def handler(request):
        received.append((request.headers["host"], request.body))
        await asyncio.sleep(0.002)
        return Reply(202)

    try:
        async with serve(handler) as a, serve(handler) as b:
            ids = await enqueue(runtime, member, [a.url("/inbox"), b.url("/inbox")], n=100)
            # generous timeouts: a request that times out on a busy machine is retried later, not within this drain
            runners = [(DeliveryRunner(concurrency=8, lease=180, timeout=60), rt) for rt in (runtime, other)]

            async def drain(runner, rt):
                while await run(runner, rt):
                    pass
            await asyncio.gather(*(drain(r, rt) for r, rt in runners), *(drain(r, rt) for r, rt in runners))
    finally:
        await other.close()
    assert len(received) == len(set(received)) == 200
    assert {row.state for row in await rows(runtime)} == {"sent"}
    assert all(sum(i.encode() + b'"' in body for _, body in received) == 2 for i in ids)


async def test_delivery_runner_stop_hands_unstarted_rows_back(runtime, member):
    async with serve(never) as server:
        await enqueue(runtime, member, [server.url("/inbox")], n=6)
        runner = DeliveryRunner(per_host=2, timeout=5)
        assert await runner.run_once(runtime) == 6
        await asyncio.sleep(0.2)  # two requests in flight, four waiting for the host's slots
        await runner.stop(runtime, timeout=0.1)
    locked = [row.locked_until for row in await rows(runtime)]
    assert sum(lock is None for lock in locked) == 4  # claimable at once by another worker
    assert await runner.run_once(runtime) == 0  # a stopped runner claims nothing


def test_delivery_runner_backoff_spans_several_days_with_jitter():
    low, high = random.Random(), random.Random()
    low.uniform = lambda a, b: a
    high.uniform = lambda a, b: b
    def total(rng):
        return sum(backoff(n, rng) for n in range(1, MAX_ATTEMPTS)) / 86400
    assert 3.0 < total(low) < total(high) < 4.0
    assert all(backoff(n, high) < backoff(n + 3, low) for n in range(1, MAX_ATTEMPTS))  # jitter is bounded
    assert all(backoff(n, low) < backoff(n + 1, low) for n in range(1, MAX_ATTEMPTS))
