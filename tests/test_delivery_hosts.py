"""Host health: a host failing on N days becomes unavailable, its deliveries wait, and it comes back."""
from __future__ import annotations

from datetime import timedelta

from loopback_server import Reply, serve
from sqlalchemy import select, update
from test_delivery_runner import Clock, enqueue, member, rows, run, runtime  # noqa: F401  (fixtures)

from server.db.models import Delivery, Host
from server.jobs.deliveries import PARK_FOR, PARK_LIMIT, DeliveryRunner
from server.services.federation.host_health import PARKED, host_stats, mark_host_alive, record_failures

DAYS = 3


def switchable(status: list[int]):
    async def handler(request):
        return Reply(status[0])
    return handler


async def host_row(runtime, domain) -> Host | None:
    async with runtime.sessions() as session:
        return await session.get(Host, domain)


async def fail_until_due(runner, runtime, clock) -> None:
    """One failed try, then move the clock to the next one."""
    assert await run(runner, runtime) == 1
    clock.now = max(row.next_try_at for row in await rows(runtime) if row.state == "queued")


async def make_unavailable(runtime, domain, clock) -> None:
    async with runtime.sessions() as session:
        for day in range(DAYS):
            await record_failures(session, domain, now=clock.now - timedelta(days=DAYS - day), days=DAYS)
        await session.commit()


async def test_delivery_hosts_unavailable_after_failing_on_n_days_not_before(runtime, member):
    clock = Clock()
    async with serve(switchable([500])) as server:
        domain = f"127.0.0.1:{server.port}"
        await enqueue(runtime, member, [server.url("/inbox")])
        runner = DeliveryRunner(clock=clock, failure_days=DAYS)
        for _ in range(4):  # many failures on the first day
            await fail_until_due(runner, runtime, clock)
        assert (await host_row(runtime, domain)).unavailable_since is None
        clock.now = clock.now.replace(hour=12) + timedelta(days=1)
        await fail_until_due(runner, runtime, clock)
        assert (await host_row(runtime, domain)).unavailable_since is None  # two days
        clock.now = clock.now.replace(hour=12) + timedelta(days=1)
        assert await run(runner, runtime) == 1
    host = await host_row(runtime, domain)
    assert host.unavailable_since == clock.now  # third day
    assert host.failures == 6
    assert len(server.requests) == 6


async def test_delivery_hosts_unavailable_host_is_parked_then_probed_and_revived(runtime, member):
    clock = Clock()
    status = [500]
    async with serve(switchable(status)) as server:
        domain = f"127.0.0.1:{server.port}"
        await make_unavailable(runtime, domain, clock)
        await enqueue(runtime, member, [server.url("/inbox")], n=3)
        runner = DeliveryRunner(clock=clock, failure_days=DAYS)
        assert await run(runner, runtime) == 3
        assert server.requests == []  # not attempted
        parked = await rows(runtime)
        assert {(r.state, r.attempts, r.last_error) for r in parked} == {("queued", 0, PARKED)}
        slot = parked[0].next_try_at
        assert clock.now < slot <= clock.now + PARK_FOR and {r.next_try_at for r in parked} == {slot}

        clock.now = slot  # the probe slot: one delivery goes, and fails
        assert await run(runner, runtime) == 3
        assert len(server.requests) == 1
        assert sorted(r.last_error for r in await rows(runtime)) == ["HTTP 500", PARKED, PARKED]

        status[0] = 202
        clock.now = max(r.next_try_at for r in await rows(runtime))  # the next slot: the probe gets through
        assert await run(runner, runtime) >= 1
        assert (await host_row(runtime, domain)).unavailable_since is None
        while await run(runner, runtime):  # the rest were un-parked and go at once
            pass
    assert [r.state for r in await rows(runtime)] == ["sent"] * 3
    assert len(server.requests) == 4
    host = await host_row(runtime, domain)
    assert (host.failures, host.first_failure_at, host.last_success_at) == (0, None, clock.now)


async def test_delivery_hosts_mark_host_alive_revives_and_unparks(runtime, member):
    clock = Clock()
    async with serve(switchable([202])) as server:
        domain = f"127.0.0.1:{server.port}"
        await make_unavailable(runtime, domain, clock)
        await enqueue(runtime, member, [server.url("/inbox")], n=2)
        runner = DeliveryRunner(clock=clock, failure_days=DAYS)
        assert await run(runner, runtime) == 2
        assert server.requests == []
        async with runtime.sessions() as session:
            assert await mark_host_alive(session, domain.upper(), now=clock.now) is True
            await session.commit()
        assert {(r.next_try_at, r.last_error) for r in await rows(runtime)} == {(clock.now, None)}
        assert await run(runner, runtime) == 2
    assert len(server.requests) == 2
    assert (await host_row(runtime, domain)).unavailable_since is None


async def test_delivery_hosts_success_clears_failures(runtime, member):
    clock = Clock()
    status = [500]
    async with serve(switchable(status)) as server:
        domain = f"127.0.0.1:{server.port}"
        await enqueue(runtime, member, [server.url("/inbox")])
        runner = DeliveryRunner(clock=clock, failure_days=DAYS)
        await fail_until_due(runner, runtime, clock)
        assert (await host_row(runtime, domain)).failures == 1
        status[0] = 202
        assert await run(runner, runtime) == 1
    host = await host_row(runtime, domain)
    assert (host.failures, host.first_failure_at, host.last_success_at) == (0, None, clock.now)


async def test_delivery_hosts_mark_host_alive_on_healthy_or_unknown_host_changes_nothing(runtime):
    async with runtime.sessions() as session:
        assert await mark_host_alive(session, "never.seen.example") is False
        session.add(Host(domain="fine.example"))
        await session.commit()
        assert await mark_host_alive(session, "fine.example") is False
        assert (await session.execute(select(Host.domain))).scalars().all() == ["fine.example"]


async def test_delivery_hosts_parked_too_long_fails(runtime, member):
    clock = Clock()
    async with serve(switchable([202])) as server:
        domain = f"127.0.0.1:{server.port}"
        await make_unavailable(runtime, domain, clock)
        await enqueue(runtime, member, [server.url("/inbox")])
        async with runtime.sessions() as session:
            await session.execute(update(Delivery).values(created_at=clock.now - PARK_LIMIT - timedelta(hours=1)))
            await session.commit()
        assert await run(DeliveryRunner(clock=clock, failure_days=DAYS), runtime) == 1
    [row] = await rows(runtime)
    assert row.state == "failed" and row.last_error.startswith("host unavailable since")
    assert server.requests == []


async def test_delivery_hosts_stats_count_queued_and_failing_per_host(runtime, member):
    clock = Clock()
    async with serve(switchable([500])) as bad, serve(switchable([202])) as good:
        await enqueue(runtime, member, [bad.url("/inbox"), good.url("/inbox")], n=2)
        await run(DeliveryRunner(clock=clock), runtime)
        await enqueue(runtime, member, [good.url("/inbox")], n=3, first=2)
    async with runtime.sessions() as session:
        stats = {s.domain: s for s in await host_stats(session)}
    bad_stats, good_stats = stats[f"127.0.0.1:{bad.port}"], stats[f"127.0.0.1:{good.port}"]
    assert (bad_stats.queued, bad_stats.failing, bad_stats.failures, bad_stats.available) == (2, 2, 2, True)
    assert (good_stats.queued, good_stats.failing, good_stats.failures) == (3, 0, 0)
    assert good_stats.last_success_at == clock.now
    assert list(stats)[0] == bad_stats.domain  # the sick host first
