"""Time-ordered 64-bit ids, as Mastodon makes them: milliseconds since the epoch, then 16 random bits."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone


def snowflake(when: datetime | None = None) -> int:
    moment = when or datetime.now(timezone.utc)
    now = datetime.now(timezone.utc)
    ms = int(min(moment, now).timestamp() * 1000)  # an id never claims the future
    return (max(ms, 0) << 16) | secrets.randbits(16)


def snowflake_floor(when: datetime) -> int:
    """The smallest id of the given moment: for `since`/`max` paging by time."""
    return int(when.timestamp() * 1000) << 16
