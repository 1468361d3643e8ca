"""Time-ordered 64-bit ids, as Mastodon makes them: milliseconds since the epoch, then 16 bits that
count up within a millisecond (from a random start, so that processes rarely collide)."""
from __future__ import annotations

import re
import secrets
import threading
from datetime import datetime, timezone
from typing import Any

MAX_ID = 2**63 - 1  # ids are signed 64-bit: nothing larger names a stored row
_DIGITS = re.compile(r"[0-9]{1,19}")

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


def as_id(value: Any) -> int | None:
    """An id as it arrives from outside (ASCII digits, or a JSON number); None when it cannot name a stored row."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    return None
