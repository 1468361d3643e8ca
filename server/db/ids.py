"""Time-ordered 64-bit ids, as Mastodon makes them: milliseconds since the epoch, then 16 bits from a counter
of the process (from a random start, so that processes rarely collide); and the one check of an id that comes
from outside (`as_id`), for the API, ActivityPub and web routes alike."""
from __future__ import annotations

import itertools
import re
import secrets
from datetime import datetime, timezone
from typing import Any

_counter = itertools.count(secrets.randbits(16))


def snowflake(when: datetime | None = None) -> int:
    """The id of something made or published at `when` (default now; never later than now). The low 16 bits
    count every id the process makes, whatever its moment, so that two ids of one millisecond differ unless
    65,536 others were made between them: a remote post's moment is the one its server gives (most give
    whole seconds), and posts of one second come interleaved with others. Counting afresh, from a new random
    start, each time the millisecond changed, let those collide: in bench/inbox_drain_cpu.py --reactions 0.5
    one boost in fifteen failed its first try, and each failure had the rest of its batch done again. Ids made
    one after the other in one millisecond keep that order."""
    now = datetime.now(timezone.utc)
    moment = when or now
    ms = max(int(min(moment, now).timestamp() * 1000), 0)  # an id never claims the future
    return (ms << 16) | (next(_counter) & 0xFFFF)  # next() of a count is atomic: no lock


def snowflake_floor(when: datetime) -> int:
    """The smallest id of the given moment: for `since`/`max` paging by time."""
    return int(when.timestamp() * 1000) << 16


MAX_ID = 2**63 - 1  # ids are signed 64-bit on both engines: a larger one names no row (and must not reach them)
_DIGITS = re.compile(r"[0-9]{1,19}")


def as_id(value: Any) -> int | None:
    """An id as it comes from outside (ASCII digits, or a JSON number); None when it cannot name a stored row.
    str.isdigit() is no test: it takes "²" and other digits int() refuses, and any number of them."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    return None
