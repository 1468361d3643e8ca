"""Verification upkeep, run by the worker loop about every INTERVAL: expire verifications whose time is up
(announcing it to followers and asking for renewal), remind members a month before, and delete evidence
kept past the retention period. Several workers may run it: each step only picks rows not yet handled,
and a clash on the same row just rolls that round back."""
from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError

from server.runtime import Runtime
from server.services.instance.mail import send_quietly
from server.services.verification.workflow import expire_due, purge_evidence, remind_due

log = logging.getLogger("curbside.verifications")
INTERVAL = 600.0


class VerificationRunner:
    name = "verifications"

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._next = 0.0

    async def run_once(self, runtime: Runtime) -> int:
        """One round when due (0 otherwise): how many verifications and files were handled."""
        if time.monotonic() < self._next:
            return 0
        self._next = time.monotonic() + self.interval
        mail: list = []
        try:
            async with runtime.sessions() as session:
                handled = await expire_due(session, runtime.settings, mail)
                handled += await remind_due(session, runtime.settings, mail)
                handled += await purge_evidence(session, runtime.settings, runtime.storage)
                await session.commit()
        except DBAPIError:
            log.warning("verification upkeep clashed with another worker; next round in %.0f s", self.interval)
            return 0
        if handled:
            log.info("verification upkeep: %d handled", handled)
        await send_quietly(runtime.settings, mail)
        return 0  # never keeps the loop busy: the next round waits for the interval
