"""Browser logins. The cookie holds a random token; the database keeps only its SHA-256 hash, so a copy
of the database logs nobody in. A session ends at logout, after 30 idle days, or when the password or
account state changes (`end_all`)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, WebSession

IDLE_LIMIT = timedelta(days=30)
_TOUCH_EVERY = timedelta(hours=1)  # last_seen_at is written at most this often: reads stay reads


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(session: AsyncSession, account: Account, user_agent: str = "") -> str:
    """A new session for `account`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), account_id=account.id, user_agent=user_agent[:200]))
    await session.flush()
    return token


async def find(session: AsyncSession, token: str | None) -> Account | None:
    """The account logged in by `token`, if the session is current and the account may log in."""
    if not token or len(token) > 100:
        return None
    row = (await session.execute(select(WebSession).where(WebSession.token_hash == _hash(token)))).scalar_one_or_none()
    if row is None:
        return None
    now = datetime.now(timezone.utc)
    if now - row.last_seen_at > IDLE_LIMIT:
        await session.delete(row)
        return None
    account = await session.get(Account, row.account_id)
    if account is None or account.disabled_at or not account.approved_at or not account.confirmed_at:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return account


async def end(session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


async def list_for(session: AsyncSession, account_id: int) -> list[WebSession]:
    """The account's sessions still within the idle limit, the most recently used first."""
    cutoff = datetime.now(timezone.utc) - IDLE_LIMIT
    query = select(WebSession).where(WebSession.account_id == account_id, WebSession.last_seen_at >= cutoff)
    return list((await session.execute(query.order_by(WebSession.last_seen_at.desc(), WebSession.id.desc()))).scalars())


def is_current(row: WebSession, token: str | None) -> bool:
    return bool(token) and row.token_hash == _hash(token)


async def end_one(session: AsyncSession, account_id: int, session_id: int) -> bool:
    """End one of the account's own sessions by its id (a member logging out a browser they left)."""
    query = delete(WebSession).where(WebSession.account_id == account_id, WebSession.id == session_id)
    return bool((await session.execute(query)).rowcount)


async def end_all(session: AsyncSession, account_id: int, *, keep: str | None = None) -> int:
    """End every session of an account (password changed, account suspended), but `keep`'s if given."""
    query = delete(WebSession).where(WebSession.account_id == account_id)
    if keep:
        query = query.where(WebSession.token_hash != _hash(keep))
    return (await session.execute(query)).rowcount or 0


async def prune(session: AsyncSession) -> int:
    """Remove sessions idle past the limit (a scheduled chore)."""
    cutoff = datetime.now(timezone.utc) - IDLE_LIMIT
    return (await session.execute(delete(WebSession).where(WebSession.last_seen_at < cutoff))).rowcount or 0
