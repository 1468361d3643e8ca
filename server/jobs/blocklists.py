"""The blocklist runner: fetches subscribed lists when they are due (hourly after a success, every
15 minutes while failing), with ETag/If-Modified-Since, and applies them. Lists are leased, so
several workers never fetch one list at once; highest priority first (see
server.services.moderation.subscriptions)."""
from __future__ import annotations

import logging
import time

from server.runtime import Runtime
from server.services.moderation.subscriptions import refresh_all

log = logging.getLogger("curbside.blocklists")
LOOK_EVERY = 60.0  # seconds between looks at the subscriptions table


class BlocklistRunner:
    """Runner of the "blocklists" queue (see server.jobs.worker for the runner interface)."""

    name = "blocklists"

    def __init__(self, look_every: float = LOOK_EVERY) -> None:
        self.look_every = look_every
        self._next_look = 0.0

    async def run_once(self, runtime: Runtime) -> int:
        now = time.monotonic()
        if now < self._next_look:
            return 0
        self._next_look = now + self.look_every
        results = await refresh_all(runtime)
        for result in results:
            log.log(logging.INFO if result.ok else logging.WARNING, "blocklist %s: %s", result.url, result.message)
        return len(results)
