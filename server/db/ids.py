"""Time-ordered 64-bit ids, as Mastodon makes them: milliseconds since the epoch, then 16 bits that
count up within a millisecond (from a random start, so that processes rarely collide)."""
from __future__ import annotations

import secrets
import threading
from datetime import datetime, timezone

_lock = threading.Lock()
_last_ms = -1
_sequence = 0


def snowflake(when: datetime | None = None) -> int:
    global _last_ms, _sequence
    now = datetime.now(timezone.utc)
    moment = when or now
    ms = max(int(min(moment, now).timestamp() * 1000), 0)  # an id never claims the future
    with _lock:
        if ms == _last_ms and _sequence < 0xFFFF:
            _sequence += 1  # ids made in one millisecond keep the order they were made in
        else:
            _last_ms, _sequence = ms, secrets.randbits(15)
        return (ms << 16) | _sequence


def snowflake_floor(when: datetime) -> int:
    """The smallest id of the given moment: for `since`/`max` paging by time."""
    return int(when.timestamp() * 1000) << 16
