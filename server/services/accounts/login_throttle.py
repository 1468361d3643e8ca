"""Login throttling: failed logins counted per account and per IP address in the database (so that every
process agrees). Past a few free failures each one locks the key for twice as long as the last, up to
MAX_LOCK; a quiet WINDOW since the first failure forgives them. An IP gets more free failures than an
account, as many members may share one address."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import LoginFailure
from server.db.types import utcnow
from server.i18n import N_

FREE = {"account": 5, "ip": 20}
BASE_DELAY = timedelta(seconds=2)
MAX_LOCK = timedelta(minutes=15)
WINDOW = timedelta(hours=1)


def account_key(account_id: int) -> str:
    return f"account:{account_id}"


def ip_key(address: str) -> str:
    return f"ip:{address[:200]}"


def _lock_for(kind: str, failures: int) -> timedelta | None:
    over = failures - FREE[kind]
    if over <= 0:
        return None
    return min(BASE_DELAY * (2 ** min(over - 1, 20)), MAX_LOCK)


async def check(session: AsyncSession, key: str, now: datetime | None = None) -> None:
    """Raise a ServiceError (RATE_LIMITED, with `retry_after` seconds) while `key` is locked out."""
    row = await session.get(LoginFailure, key)
    now = now or utcnow()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        retry_after = max(1, math.ceil((row.locked_until - now).total_seconds()))
        raise ServiceError(N_("too many failed login attempts; try again in %(seconds)s seconds"), Kind.RATE_LIMITED,
                           values={"seconds": retry_after}, retry_after=retry_after)


async def record_failure(session: AsyncSession, key: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    row = await session.get(LoginFailure, key)
    if row is None:
        row = LoginFailure(key=key, failures=0, first_at=now)
        session.add(row)
    elif now - row.first_at > WINDOW and (row.locked_until is None or row.locked_until <= now):
        row.failures, row.first_at = 0, now
    row.failures += 1
    lock = _lock_for(key.split(":", 1)[0], row.failures)
    row.locked_until = now + lock if lock else None
    await session.flush()


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.key == key))
