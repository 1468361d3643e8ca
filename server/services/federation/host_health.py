"""Delivery health of remote hosts, after Mastodon's delivery failure tracker.

A host that keeps failing (network errors, timeouts, 5xx, 429) is marked unavailable once its
failures since its last success span FAILURE_DAYS distinct UTC calendar days (at least one
failure a day on average: `failures >= days` and the first of them `days - 1` dates before
today). The hosts table keeps a failure count and the first failure, not a set of dates, so
"distinct days" is read as the span of an unbroken failing streak; a delivery that keeps
retrying fails on every one of those days anyway.

Deliveries to an unavailable host are parked, not attempted (see server.jobs.deliveries). Any
successful delivery or any HTTP answer that is not a server error makes the host available again
and un-parks its deliveries. When a signed activity arrives from a failing host, the inbox calls
`mark_hosts_alive`, which also brings its backing-off retries forward: it answers again, so try now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import burst, effects
from server.db.models import Delivery, Host
from server.db.types import utcnow
from server.db.upsert import insert_ignore

FAILURE_DAYS = 7
# Marks a delivery that waits for its host to come back (its last_error), so it can be un-parked.
PARKED = "parked: host unavailable"


@dataclass(frozen=True)
class HostState:
    """What the delivery runner needs to know about a host, read at claim time."""

    domain: str
    failures: int = 0
    unavailable_since: datetime | None = None
    last_success_at: datetime | None = None

    @property
    def available(self) -> bool:
        return self.unavailable_since is None


@dataclass(frozen=True)
class HostStats:
    """One row of the admin dashboard: a host's queue and health."""

    domain: str
    queued: int
    failing: int  # queued deliveries that failed at least once
    failures: int
    first_failure_at: datetime | None
    unavailable_since: datetime | None
    last_success_at: datetime | None

    @property
    def available(self) -> bool:
        return self.unavailable_since is None


def normalize(domain: str) -> str:
    """Hosts are stored as Delivery.host is: lower-case host[:port]."""
    return domain.strip().lower()


def _streak_cutoff(now: datetime, days: int) -> datetime:
    """A streak whose first failure is before this instant spans at least `days` dates up to now."""
    first_day = now.astimezone(timezone.utc).date() - timedelta(days=days - 1)
    return datetime.combine(first_day + timedelta(days=1), time(0), tzinfo=timezone.utc)


async def load_hosts(session: AsyncSession, domains: list[str]) -> dict[str, HostState]:
    """The known state of these hosts; hosts never seen are absent (healthy)."""
    if not domains:
        return {}
    rows = await session.execute(select(Host.domain, Host.failures, Host.unavailable_since, Host.last_success_at)
                                 .where(Host.domain.in_(domains)))
    return {row.domain: HostState(*row) for row in rows}


async def record_failures(session: AsyncSession, domain: str, count: int = 1, *, now: datetime | None = None,
                          days: int = FAILURE_DAYS) -> bool:
    """Count `count` failed deliveries to `domain`; returns True if this made it unavailable. Caller commits."""
    now = now or utcnow()
    await insert_ignore(session, Host, [{"domain": domain}])
    await session.execute(update(Host).where(Host.domain == domain).values(
        failures=Host.failures + count, first_failure_at=func.coalesce(Host.first_failure_at, now)))
    result = await session.execute(update(Host).where(
        Host.domain == domain, Host.unavailable_since.is_(None), Host.failures >= days,
        Host.first_failure_at < _streak_cutoff(now, days)).values(unavailable_since=now))
    return bool(result.rowcount)


async def record_successes(session: AsyncSession, domains: list[str], *, now: datetime | None = None) -> list[str]:
    """Deliveries to these hosts succeeded: clear their failures, note the success, un-park what
    waited for them. Returns the hosts that were unavailable. One statement when all the hosts are
    new, four at most otherwise; the caller commits."""
    if not domains:
        return []
    now = now or utcnow()
    if await insert_ignore(session, Host, [{"domain": d, "last_success_at": now} for d in domains]) == len(domains):
        return []
    revived = list((await session.execute(select(Host.domain).where(
        Host.domain.in_(domains), Host.unavailable_since.is_not(None)))).scalars())
    await session.execute(update(Host).where(Host.domain.in_(domains)).values(
        failures=0, first_failure_at=None, unavailable_since=None, last_success_at=now))
    if revived:
        await unpark(session, revived, now=now)
    return revived


async def mark_host_alive(session: AsyncSession, domain: str, *, now: datetime | None = None) -> bool:
    """The host showed signs of life (e.g. a signed activity arrived from it): see mark_hosts_alive."""
    return bool(await mark_hosts_alive(session, [domain], now=now))


# mark_hosts_alive's read, for every inbox batch: built once, run in one hop to SQLite (server.db.burst)
_FAILING = select(Host.domain).where(Host.domain.in_(bindparam("domains", expanding=True)),
                                     (Host.failures > 0) | Host.unavailable_since.is_not(None))


async def mark_hosts_alive(session: AsyncSession, domains: list[str], *, now: datetime | None = None) -> list[str]:
    """These hosts showed signs of life: clear their failures and retry what waits for them now,
    parked or backing off, instead of at its next slot. Returns the hosts that had been failing.
    One read when every host is healthy; the caller commits (the delivery queue wakes after the commit)."""
    domains = list({normalize(d) for d in domains})
    if not domains:
        return []
    failing = await burst.run(session, lambda sync: list(sync.execute(_FAILING, {"domains": domains}).scalars()))
    if not failing:
        return []
    now = now or utcnow()
    await session.execute(update(Host).where(Host.domain.in_(failing)).values(
        failures=0, first_failure_at=None, unavailable_since=None))
    await session.execute(update(Delivery).where(
        Delivery.host.in_(failing), Delivery.state == "queued", Delivery.next_try_at > now)
        .values(next_try_at=now, last_error=None))
    effects.wake(session, "deliveries")
    return failing


async def unpark(session: AsyncSession, domains: list[str], *, now: datetime | None = None) -> int:
    """Make the parked deliveries to these hosts due now; returns how many."""
    result = await session.execute(update(Delivery).where(
        Delivery.host.in_(domains), Delivery.state == "queued", Delivery.last_error == PARKED)
        .values(next_try_at=now or utcnow(), last_error=None))
    return result.rowcount or 0


async def host_stats(session: AsyncSession) -> list[HostStats]:
    """Queued and failing deliveries per host, with each host's health; busiest and sickest first."""
    queued = {row.host: (row.queued, row.failing) for row in await session.execute(
        select(Delivery.host, func.count().label("queued"),
               func.sum(case((Delivery.attempts > 0, 1), else_=0)).label("failing"))
        .where(Delivery.state == "queued").group_by(Delivery.host))}
    hosts = {h.domain: h for h in (await session.execute(select(Host))).scalars()}
    stats = []
    for domain in queued.keys() | hosts.keys():
        count, failing = queued.get(domain, (0, 0))
        host = hosts.get(domain)
        if host is None:
            stats.append(HostStats(domain, count, int(failing or 0), 0, None, None, None))
            continue
        stats.append(HostStats(domain, count, int(failing or 0), host.failures, host.first_failure_at,
                               host.unavailable_since, host.last_success_at))
    stats.sort(key=lambda s: (s.available, -s.failing, -s.queued, s.domain))
    return stats
