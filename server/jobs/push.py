"""The push runner: claims queued pushes under a lease, encrypts each for its subscription, POSTs it with the
instance's VAPID signature through the guarded client, and records the outcome.

A row is removed once done: pushed; refused for good (a 4xx, a refused address); or left with nothing to say (the
notification hidden since). 404 and 410 mean the subscription is gone: it is dropped, and what was queued for it.
Network errors, timeouts, 408, 429 and 5xx are tried again after `backoff(n)` (or Retry-After, if longer), up to
MAX_ATTEMPTS tries, as Mastodon's push worker retries 5 times.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vapid, webpush
from federation.deliver import DeliveryOutcome, Outcome
from server.db.models import PushDelivery, PushSubscription
from server.db.types import utcnow
from server.jobs.deliveries import backoff
from server.runtime import Runtime
from server.services.push.payload import Outgoing, outgoing
from server.services.push.queueing import QUEUE

log = logging.getLogger("curbside.push")

MAX_ATTEMPTS = 5
LEASE = 180.0  # seconds: two batches of 64, 16 at a time, each up to TIMEOUT, fit in it
TIMEOUT = 10.0


class PushRunner:
    """Runner of the "push" queue (server.jobs.worker). `run_once` claims a batch and sends it in the background
    (a slow push service never holds up the worker's other queues), `concurrency` requests at a time and at most
    `batches` batches at once; `wait_idle()` waits until what it claimed is sent and recorded; `stop()` lets
    that finish (what is still in flight after `timeout` is claimed again when its lease ends)."""

    name = QUEUE

    def __init__(self, *, batch: int = 64, batches: int = 2, concurrency: int = 16,
                 clock: Callable[[], datetime] = utcnow, rng: random.Random | None = None) -> None:
        self.batch, self.batches, self.clock, self.rng = batch, batches, clock, rng or random.Random()
        self._slots = asyncio.Semaphore(concurrency)
        self._signer: vapid.Vapid02 | None = None
        self._sending: set[asyncio.Task] = set()

    async def run_once(self, runtime: Runtime) -> int:
        if len(self._sending) >= self.batches:
            return 0
        now = self.clock()
        settings = runtime.settings
        async with runtime.sessions() as session:
            claimed = await _claim(session, now, self.batch)
            if not claimed:
                return 0
            ready, void = await outgoing(session, claimed, secret_key=settings.secret_key,
                                          default_locale=settings.default_locale, base_url=settings.base_url)
            await session.commit()
        task = asyncio.create_task(self._send_batch(runtime, ready, void, now))
        self._sending.add(task)
        task.add_done_callback(lambda done: (self._sending.discard(done), runtime.wake(self.name)))
        return len(claimed)

    async def wait_idle(self) -> None:
        while self._sending:
            await asyncio.wait(list(self._sending))

    async def stop(self, runtime: Runtime, timeout: float = 15.0) -> None:
        if self._sending:
            await asyncio.wait(list(self._sending), timeout=timeout)
        for task in list(self._sending):
            task.cancel()

    async def _send_batch(self, runtime: Runtime, ready: list[Outgoing], void: list[int], now: datetime) -> None:
        try:
            outcomes = await asyncio.gather(*(self._send(runtime, push) for push in ready))
            async with runtime.sessions() as session:
                await self._record(session, list(zip(ready, outcomes)), void, now)
                await session.commit()
        except Exception:  # the rows stay leased, and are claimed again when the lease ends
            log.warning("could not send or record %d pushes", len(ready), exc_info=True)

    async def _send(self, runtime: Runtime, push: Outgoing) -> DeliveryOutcome:
        settings, subscription = runtime.settings, push.subscription
        try:
            if self._signer is None:
                self._signer = vapid.load_vapid_key(settings.vapid_key.encode())
            body = webpush.encrypt(json.dumps(push.payload).encode(), subscription.endpoint,
                                   subscription.key_p256dh, subscription.key_auth)
            signature = vapid.authorization(self._signer, subscription.endpoint, settings.base_url)
        except Exception as exc:  # nothing the push service said: trying again would not help
            log.warning("push %d could not be prepared", push.delivery_id, exc_info=True)
            return DeliveryOutcome(Outcome.REJECTED, reason=f"not prepared: {exc}")
        async with self._slots:
            return await webpush.push(runtime.http, subscription.endpoint, body, signature, timeout=TIMEOUT,
                                      allow_http=settings.allow_http, allow_private=settings.allow_private_addresses)

    async def _record(self, session: AsyncSession, results: list[tuple[Outgoing, DeliveryOutcome]],
                      void: list[int], now: datetime) -> None:
        done, gone, retries = list(void), set(), []
        for push, outcome in results:
            if outcome.outcome is Outcome.GONE:
                log.info("push subscription %d is gone (%s): dropped", push.subscription.id, outcome.reason)
                gone.add(push.subscription.id)
            elif outcome.outcome is Outcome.RETRY and push.attempts + 1 < MAX_ATTEMPTS:
                retries.append(self._retry(push, outcome, now))
            else:
                if outcome.outcome is not Outcome.DELIVERED:
                    log.warning("push %d to subscription %d failed: %s", push.delivery_id, push.subscription.id,
                                outcome.reason)
                done.append(push.delivery_id)
        if done:
            await session.execute(delete(PushDelivery).where(PushDelivery.id.in_(done)))
        if gone:
            await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
        if retries:
            await session.execute(update(PushDelivery), retries)

    def _retry(self, push: Outgoing, outcome: DeliveryOutcome, now: datetime) -> dict:
        attempts = push.attempts + 1
        wait = max(backoff(attempts, self.rng), outcome.retry_after or 0.0)
        log.info("push %d: %s; try %d in %.0fs", push.delivery_id, outcome.reason, attempts + 1, wait)
        return {"id": push.delivery_id, "attempts": attempts, "next_try_at": now + timedelta(seconds=wait),
                "locked_until": None, "last_error": outcome.reason}


async def _claim(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """Ids of due, unleased rows, now leased to this runner (re-checked in the UPDATE: no row is held twice)."""
    due = ((PushDelivery.next_try_at <= now)
           & (PushDelivery.locked_until.is_(None) | (PushDelivery.locked_until < now)))
    query = select(PushDelivery.id).where(due).order_by(PushDelivery.next_try_at).limit(limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    chosen = list((await session.execute(query)).scalars())
    if not chosen:
        return []
    claimed = await session.execute(
        update(PushDelivery).where(PushDelivery.id.in_(chosen), due)
        .values(locked_until=now + timedelta(seconds=LEASE)).returning(PushDelivery.id),
        execution_options={"synchronize_session": False})
    return list(claimed.scalars())
