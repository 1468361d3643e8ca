"""Timed chores, run by the worker every few seconds: close polls whose time has come, publish scheduled posts
whose time has come (server.services.posts.scheduling), remove uploads
never posted (after a day), idempotency keys past their hour, web sessions idle for 30 days and rate-limit
windows and read-your-writes marks that have ended (server.ratelimit_shared, server.replica); index
new and edited posts for search; prune processed inbox rows and expired inbox memory
(server.services.federation.inbox.remembered).

Several workers may run it at once: each chore claims its rows with conditional writes.
"""
from __future__ import annotations

import logging
import time

from server import ratelimit_shared, replica
from server.db import fulltext
from server.runtime import Runtime
from server.services.accounts import web_sessions
from server.services.federation.inbox import remembered
from server.services.posts import idempotency, media, poll_closing, scheduling

log = logging.getLogger("curbside.scheduled")
INTERVAL = 5.0  # seconds between rounds; a poll's end shows at read time anyway


class ScheduledRunner:
    name = "scheduled"

    def __init__(self, interval: float = INTERVAL):
        self.interval = interval
        self._next = 0.0

    async def run_once(self, runtime: Runtime) -> int:
        """One round of chores if one is due; returns rows handled (0 when idle or not yet due)."""
        if time.monotonic() < self._next:
            return 0
        self._next = time.monotonic() + self.interval
        done = 0
        async with runtime.sessions() as session:
            polls = await poll_closing.close_due(runtime, session)
            await session.commit()
            done += polls
        async with runtime.sessions() as session:
            done += await media.remove_stale(runtime, session)
            done += await idempotency.forget_expired(session)
            done += await web_sessions.prune(session)
            done += await ratelimit_shared.prune(session)
            done += await replica.prune(session)
            await session.commit()
        async with runtime.sessions() as session:
            while indexed := await fulltext.catch_up(session):
                await session.commit()
                done += indexed
        async with runtime.sessions() as session:
            done += await remembered.prune(session)
            await session.commit()
        return done + await scheduling.publish_due(runtime)
