"""The delivery runner: claims queued Delivery rows under a lease and POSTs them, signed.

Claiming: one read of due rows (FOR UPDATE SKIP LOCKED on PostgreSQL), then an UPDATE that sets
`locked_until` and re-checks that each row is still due and unleased, so two workers (processes,
machines) never both hold a row, on either engine. A claimed row whose lease would run out before
its request could finish is not started; it is claimed again when the lease ends.

Sending: at most `concurrency` requests at once and `per_host` per host. A request holds its
global slot until its outcome is committed, so a worker killed at any moment has at most
`concurrency` rows POSTed but not recorded: only those are sent again, nothing is lost.
Outcomes are written by one writer task that commits whatever has arrived since its last commit
(group commit: each outcome as soon as the database can take it, without one transaction each).

Outcomes: 2xx -> sent; 410 -> gone; other 4xx, redirects, refused addresses -> failed with the
reason; network errors, timeouts, 408, 429, 5xx -> retried after `backoff(n)` seconds (or
Retry-After, if longer) until MAX_ATTEMPTS tries, then failed. The schedule, after the n-th
failed try: n**4 + 15 + uniform(0, 30) * (n + 1) s, i.e. ~45 s, ~75 s, ~2.5 min, ~6 min, ... ~18 h,
~23 h; the 18th and last try comes ~3.8 days after the first (Sidekiq's default curve, with two
more tries than its 16 retries).

Unavailable hosts (server.services.federation.host_health): their deliveries are parked, not sent, until the
host's next probe slot (every PARK_FOR, at an offset per host). At a slot one parked delivery per
host and batch is sent as a probe; if it gets through, the host is available again and the rest
are un-parked. A delivery parked for longer than PARK_LIMIT fails ("host unavailable").
"""
from __future__ import annotations

import asyncio
import logging
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.deliver import DeliveryOutcome, Outcome, post_activity
from federation.fetch import Signer
from server.db.models import Actor, Delivery
from server.db.types import utcnow
from server.metrics import process_metrics
from server.runtime import Runtime
from server.services.federation.host_health import (
    FAILURE_DAYS,
    PARKED,
    HostState,
    load_hosts,
    record_failures,
    record_successes,
)
from server.services.federation.signing import signer_for
from server.services.moderation.policies import SUSPENDED_ERROR, Policies

log = logging.getLogger("curbside.deliveries")

MAX_ATTEMPTS = 18
DEFAULT_LEASE = 120.0  # seconds a claim lasts; a worker killed mid-batch delays its rows this long
REQUEST_TIMEOUT = 10.0
PARK_FOR = timedelta(hours=6)
PARK_LIMIT = timedelta(days=14)
SUCCESS_NOTED_EVERY = timedelta(hours=1)  # how stale hosts.last_success_at may get, to spare writes


def backoff(failures: int, rng: random.Random) -> float:
    """Seconds to wait after the `failures`-th failed try (1-based), with jitter."""
    return failures ** 4 + 15 + rng.uniform(0, 30) * (failures + 1)


def next_probe(domain: str, now: datetime) -> datetime:
    """The next probe slot of an unavailable host: every PARK_FOR, shifted per host to spread them."""
    period = PARK_FOR.total_seconds()
    offset = zlib.crc32(domain.encode()) % int(period)
    stamp = now.timestamp() - offset
    return datetime.fromtimestamp((stamp // period + 1) * period + offset, timezone.utc)


def _stale(state: HostState | None, now: datetime) -> bool:
    """Whether a success must be written to this host's row (it failed, is unknown, or was noted long ago)."""
    return (state is None or bool(state.failures) or not state.available or state.last_success_at is None
            or now - state.last_success_at > SUCCESS_NOTED_EVERY)


@dataclass
class Claimed:
    id: int
    inbox: str
    host: str
    body: bytes
    signer_id: int
    attempts: int
    created_at: datetime
    last_error: str | None
    locked_until: datetime


@dataclass
class _Result:
    row: Claimed
    outcome: DeliveryOutcome
    done: asyncio.Future = field(repr=False)


class DeliveryRunner:
    """Runner of the "deliveries" queue (see server.jobs.worker for the runner interface).

    `run_once` claims what the runner has room for and starts sending in the background; it
    returns how many rows it claimed. `wait_idle()` waits until they are all recorded; `stop()`
    lets in-flight requests finish and hands unstarted rows back.
    """

    name = "deliveries"

    def __init__(self, *, concurrency: int = 32, per_host: int = 4, lease: float = DEFAULT_LEASE,
                 timeout: float | None = None, failure_days: int = FAILURE_DAYS,
                 clock: Callable[[], datetime] = utcnow, rng: random.Random | None = None) -> None:
        self.concurrency, self.per_host = concurrency, per_host
        self.lease = timedelta(seconds=lease)
        self.timeout = timeout if timeout is not None else min(REQUEST_TIMEOUT, lease / 3)
        if self.timeout * 1.5 >= lease:
            raise ValueError(f"a lease of {lease}s is too short for requests of up to {self.timeout}s")
        self.failure_days, self.clock, self.rng = failure_days, clock, rng or random.Random()
        self.max_claimed = concurrency * 4  # claimed rows held in memory, waiting or in flight
        self.host_backlog = per_host * 4
        self._global = asyncio.Semaphore(concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._pending: Counter[str] = Counter()
        self._tasks: dict[asyncio.Task, Claimed] = {}
        self._started: set[int] = set()
        self._hosts: dict[str, HostState] = {}
        self._results: asyncio.Queue[_Result] = asyncio.Queue()
        self._writer: asyncio.Task | None = None
        self._stopping = False

    # --- claiming ----------------------------------------------------------------------------

    async def run_once(self, runtime: Runtime) -> int:
        room = self.max_claimed - len(self._tasks)
        # Wait for a quarter of the room to free up rather than claim rows one at a time.
        if self._stopping or room <= 0 or (self._tasks and room < self.max_claimed // 4):
            return 0
        now = self.clock()
        policies = await runtime.policies.get()
        async with runtime.sessions() as session:
            rows = await self._claim(session, now, room)
            if not rows:
                return 0
            hosts = await load_hosts(session, sorted({r.host for r in rows}))
            signers = await self._signers(session, {r.signer_id for r in rows})
            send = await self._triage(session, rows, hosts, signers, now, policies)
            await session.commit()
        for row in rows:
            self._hosts[row.host] = hosts.get(row.host) or HostState(row.host)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_loop(runtime))
        for row in send:
            self._pending[row.host] += 1
            task = asyncio.create_task(self._deliver(runtime, row, signers[row.signer_id]))
            self._tasks[task] = row
            # A callback, not a finally: a task cancelled before it ever ran skips its finally.
            task.add_done_callback(lambda t: self._finished(runtime, t))
        return len(rows)

    async def _claim(self, session: AsyncSession, now: datetime, room: int) -> list[Claimed]:
        due = ((Delivery.state == "queued") & (Delivery.next_try_at <= now)
               & (Delivery.locked_until.is_(None) | (Delivery.locked_until < now)))
        query = select(Delivery.id, Delivery.host).where(due).order_by(Delivery.next_try_at).limit(room * 2)
        busy = [host for host, n in self._pending.items() if n >= self.host_backlog]
        if busy:
            query = query.where(Delivery.host.not_in(busy))
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        taken = Counter(self._pending)
        chosen = []
        for row_id, host in (await session.execute(query)).all():
            if taken[host] < self.host_backlog and len(chosen) < room:
                chosen.append(row_id)
                taken[host] += 1
        if not chosen:
            return []
        until = now + self.lease
        claimed = await session.execute(
            update(Delivery).where(Delivery.id.in_(chosen), due).values(locked_until=until)
            .returning(Delivery.id, Delivery.inbox, Delivery.host, Delivery.body, Delivery.signer_id,
                       Delivery.attempts, Delivery.created_at, Delivery.last_error),
            execution_options={"synchronize_session": False})
        return [Claimed(r.id, r.inbox, r.host, r.body.encode(), r.signer_id, r.attempts, r.created_at,
                        r.last_error, until) for r in claimed]

    async def _signers(self, session: AsyncSession, ids: set[int]) -> dict[int, Signer | str]:
        """A Signer per local actor id, or the reason it cannot sign (private keys are parsed once, cached)."""
        signers: dict[int, Signer | str] = {i: "signer not found" for i in ids}
        for actor in (await session.execute(select(Actor).where(Actor.id.in_(ids)))).scalars():
            try:
                signers[actor.id] = signer_for(actor)
            except ValueError as exc:
                signers[actor.id] = str(exc)
        return signers

    async def _triage(self, session: AsyncSession, rows: list[Claimed], hosts: dict[str, HostState],
                      signers: dict[int, Signer | str], now: datetime, policies: Policies) -> list[Claimed]:
        """Rows to send now; park or fail the others in this (claiming) transaction."""
        send, park, failed, probed = [], [], [], set()
        for row in rows:
            host = hosts.get(row.host)
            if isinstance(signers[row.signer_id], str):
                failed.append({"id": row.id, "state": "failed", "last_error": signers[row.signer_id]})
            elif not policies.effective(row.host).deliver:  # suspended since it was queued
                failed.append({"id": row.id, "state": "failed", "last_error": SUSPENDED_ERROR})
            elif host is None or host.available:
                send.append(row)
            elif now - row.created_at > PARK_LIMIT:
                failed.append({"id": row.id, "state": "failed",
                               "last_error": f"host unavailable since {host.unavailable_since:%Y-%m-%d}"})
            elif row.last_error == PARKED and row.host not in probed:
                probed.add(row.host)
                send.append(row)
            else:
                park.append({"id": row.id, "next_try_at": next_probe(row.host, now), "last_error": PARKED,
                             "locked_until": None})
        for changes in (park, failed):
            if changes:
                await session.execute(update(Delivery), changes)
        if park:
            log.debug("parked %d deliveries to unavailable hosts", len(park))
        for change in failed:
            log.warning("delivery %d failed: %s", change["id"], change["last_error"])
        return send

    # --- sending -----------------------------------------------------------------------------

    async def _deliver(self, runtime: Runtime, row: Claimed, sign: Signer) -> None:
        try:
            slot = self._host_slots.setdefault(row.host, asyncio.Semaphore(self.per_host))
            async with slot, self._global:
                left = (row.locked_until - self.clock()).total_seconds()
                if left < self.timeout * 1.5:
                    return  # the lease could run out mid-request; claimed again once it has
                self._started.add(row.id)
                settings = runtime.settings
                outcome = await post_activity(runtime.http, row.inbox, row.body, sign, timeout=self.timeout,
                                              allow_http=settings.allow_http,
                                              allow_private=settings.allow_private_addresses)
                done = asyncio.get_running_loop().create_future()
                self._results.put_nowait(_Result(row, outcome, done))
                await done
        except Exception:
            log.warning("delivery %d to %s crashed; it will be retried when its lease ends", row.id, row.inbox,
                        exc_info=True)

    def _finished(self, runtime: Runtime, task: asyncio.Task) -> None:
        row = self._tasks.pop(task)
        self._started.discard(row.id)
        self._pending[row.host] -= 1
        if self._pending[row.host] <= 0:
            del self._pending[row.host]
            self._host_slots.pop(row.host, None)  # no task of this host is left to use it
        if len(self._tasks) <= self.max_claimed * 3 // 4:
            runtime.wake(self.name)  # room for another claim

    # --- recording outcomes ------------------------------------------------------------------

    async def _write_loop(self, runtime: Runtime) -> None:
        while True:
            batch = [await self._results.get()]
            while not self._results.empty():
                batch.append(self._results.get_nowait())
            try:
                await self._write(runtime, batch)
                ok = True
            except Exception:
                log.warning("could not record %d delivery outcomes; they will be sent again", len(batch),
                            exc_info=True)
                ok = False
            for result in batch:
                if not result.done.done():
                    result.done.set_result(ok)

    async def _write(self, runtime: Runtime, batch: list[_Result]) -> None:
        now = self.clock()
        sent, changes, alive, failing = [], [], set(), Counter()
        for result in batch:
            row, outcome = result.row, result.outcome
            process_metrics().delivery(row.host, outcome.outcome.value)
            if outcome.outcome is Outcome.DELIVERED:
                sent.append(row.id)
            else:
                changes.append(self._change_for(row, outcome, now))
            if outcome.outcome is Outcome.DELIVERED or "state" in changes[-1]:  # finished: sent, gone or failed
                process_metrics().job_done("deliveries", (now - row.created_at).total_seconds())
            if outcome.outcome is Outcome.RETRY:
                failing[row.host] += 1
            elif outcome.status is not None:
                alive.add(row.host)  # it answered: the host is up, whatever it thought of the request
        async with runtime.sessions() as session:
            if sent:
                await session.execute(update(Delivery).where(Delivery.id.in_(sent))
                                      .values(state="sent", sent_at=now),
                                      execution_options={"synchronize_session": False})
            for keys in {frozenset(c) for c in changes}:
                await session.execute(update(Delivery), [c for c in changes if frozenset(c) == keys])
            revived = await record_successes(session, self._success_to_note(alive - failing.keys(), now), now=now)
            unavailable = [host for host, count in failing.items()
                           if await record_failures(session, host, count, now=now, days=self.failure_days)]
            await session.commit()
        self._note_hosts(alive - failing.keys(), failing, now, unavailable)
        for host in revived:
            log.info("host %s is available again", host)
        for host in unavailable:
            log.warning("host %s marked unavailable after failing on %d days", host, self.failure_days)
        log.debug("recorded %d delivery outcomes (%d sent)", len(batch), len(sent))

    def _change_for(self, row: Claimed, outcome: DeliveryOutcome, now: datetime) -> dict:
        reason = outcome.reason or outcome.outcome.value
        if outcome.outcome is Outcome.GONE:
            log.warning("delivery %d to %s: gone (%s)", row.id, row.inbox, reason)
            return {"id": row.id, "state": "gone", "last_error": reason}
        if outcome.outcome is Outcome.REJECTED:
            log.warning("delivery %d to %s: rejected (%s)", row.id, row.inbox, reason)
            return {"id": row.id, "state": "failed", "last_error": reason}
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.warning("delivery %d to %s: gave up after %d tries (%s)", row.id, row.inbox, attempts, reason)
            return {"id": row.id, "state": "failed", "attempts": attempts, "last_error": reason}
        wait = max(backoff(attempts, self.rng), outcome.retry_after or 0.0)
        log.warning("delivery %d to %s: %s; try %d in %.0fs", row.id, row.inbox, reason, attempts + 1, wait)
        return {"id": row.id, "attempts": attempts, "next_try_at": now + timedelta(seconds=wait),
                "last_error": reason, "locked_until": None}

    def _success_to_note(self, hosts: set[str], now: datetime) -> list[str]:
        """Hosts whose row needs writing after a success: failing, unknown, or success noted long ago."""
        return sorted(h for h in hosts if _stale(self._hosts.get(h), now))

    def _note_hosts(self, alive: set[str], failing: Counter, now: datetime, unavailable: list[str]) -> None:
        for host in alive:
            if _stale(self._hosts.get(host), now):
                self._hosts[host] = HostState(host, last_success_at=now)
        for host, count in failing.items():
            old = self._hosts.get(host) or HostState(host)
            since = now if host in unavailable else old.unavailable_since
            self._hosts[host] = HostState(host, old.failures + count, since, old.last_success_at)

    # --- waiting and stopping ----------------------------------------------------------------

    async def wait_idle(self) -> None:
        """Wait until every claimed row has been sent and recorded (or left to its lease)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def stop(self, runtime: Runtime, timeout: float = 15.0) -> None:
        """Stop claiming, let in-flight requests finish (up to `timeout`), hand unstarted rows back."""
        self._stopping = True
        unstarted = [row for task, row in self._tasks.items() if row.id not in self._started]
        for task, row in list(self._tasks.items()):
            if row.id not in self._started:
                task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
        for task in list(self._tasks):  # still in flight after the timeout: their rows wait for the lease
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        if unstarted:
            await self._release(runtime, unstarted)

    async def _release(self, runtime: Runtime, rows: list[Claimed]) -> None:
        try:
            async with runtime.sessions() as session:
                for until in {r.locked_until for r in rows}:
                    ids = [r.id for r in rows if r.locked_until == until]
                    await session.execute(update(Delivery).where(
                        Delivery.id.in_(ids), Delivery.locked_until == until, Delivery.state == "queued")
                        .values(locked_until=None), execution_options={"synchronize_session": False})
                await session.commit()
        except Exception:
            log.warning("could not release %d claimed deliveries; they wait for their lease", len(rows),
                        exc_info=True)
