"""Single-use secrets mailed to members (email confirmation, password reset): random, expiring, stored
as SHA-256 only, spent on first use."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Account, AccountToken
from server.db.types import utcnow
from server.i18n import N_

LIFETIMES = {"confirm": timedelta(days=2), "reset": timedelta(hours=1)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, account: Account, purpose: str) -> str:
    """A fresh token for `purpose`; earlier unused ones of the same purpose stop working."""
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utcnow()
    await session.execute(update(AccountToken).where(
        AccountToken.account_id == account.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(account_id=account.id, purpose=purpose, token_hash=_hash(token),
                             expires_at=now + LIFETIMES[purpose]))
    await session.flush()
    return token


async def issued_lately(session: AsyncSession, account: Account, purpose: str, within: timedelta) -> int:
    """How many tokens of `purpose` the account was sent in the last `within` (used or not)."""
    return await session.scalar(select(func.count()).select_from(AccountToken).where(
        AccountToken.account_id == account.id, AccountToken.purpose == purpose,
        AccountToken.created_at > utcnow() - within)) or 0


async def peek_token(session: AsyncSession, purpose: str, token: str) -> Account:
    """The account a still-usable token was issued to, leaving it unused (a page shows its form first,
    and a mail scanner opening the link spends nothing); ServiceError otherwise."""
    if not token or len(token) > 200:
        raise ServiceError(N_("this link is invalid or has expired"), Kind.EXPIRED)
    row = (await session.execute(select(AccountToken).where(
        AccountToken.token_hash == _hash(token), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()))).scalar_one_or_none()
    account = await session.get(Account, row.account_id) if row is not None else None
    if account is None:
        raise ServiceError(N_("this link is invalid or has expired"), Kind.EXPIRED)
    return account


async def consume_token(session: AsyncSession, purpose: str, token: str) -> Account:
    """The account the token was issued to, marking the token used; ServiceError if it cannot be used."""
    if not token or len(token) > 200:
        raise ServiceError(N_("this link is invalid or has expired"), Kind.EXPIRED)
    now = utcnow()
    # One UPDATE decides: of two concurrent uses, only one finds the row still unused.
    spent = await session.execute(update(AccountToken).where(
        AccountToken.token_hash == _hash(token), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > now)
        .values(used_at=now).returning(AccountToken.account_id))
    account_id = spent.scalar_one_or_none()
    account = await session.get(Account, account_id) if account_id is not None else None
    if account is None:
        raise ServiceError(N_("this link is invalid or has expired"), Kind.EXPIRED)
    return account
