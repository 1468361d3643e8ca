"""Checking a member's credentials: one message for every failure, so that it says nothing of which part
was wrong; failures are counted per account and per IP address, and too many lock them out a while
(server.services.accounts.login_throttle)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Account, Actor
from server.i18n import N_
from server.services.accounts import login_throttle as throttle
from server.services.accounts.passwords import hash_password, verify_password


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-0")


async def find_login(session: AsyncSession, login: str) -> Account | None:
    """The account a username or email names."""
    login = (login or "").strip()
    query = select(Account).join(Actor, Account.actor_id == Actor.id)
    if "@" in login:
        query = query.where(Account.email == login.lower())
    else:
        query = query.where(Actor.local.is_(True), func.lower(Actor.username) == login.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def _failed(session: AsyncSession, keys: list[str]) -> ServiceError:
    for key in keys:
        await throttle.record_failure(session, key)
    # Committed at once: the caller rolls back on a refusal, and the failure must count regardless.
    await session.commit()
    return ServiceError(N_("invalid username or password"), Kind.FORBIDDEN)


async def check_login(session: AsyncSession, login: str, password: str, *, ip: str | None = None) -> Account:
    """The account for a username or email and password; a ServiceError of kind FORBIDDEN otherwise (same time
    either way; `unconfirmed` in its details when only the email address is not confirmed yet: a new link can be
    mailed), of kind RATE_LIMITED (`retry_after`) while the account or `ip` is locked out, even for the right
    password."""
    keys = [throttle.ip_key(ip)] if ip else []
    account = await find_login(session, login)
    if account is not None:
        keys.append(throttle.account_key(account.id))
    for key in keys:
        await throttle.check(session, key)
    if account is None:
        verify_password(_dummy_hash(), password or "")  # spend the same time as a real check
        raise await _failed(session, keys)
    if not verify_password(account.password_hash, password or ""):
        raise await _failed(session, keys)
    await throttle.clear(session, throttle.account_key(account.id))
    if account.disabled_at:
        raise ServiceError(N_("this account is disabled"), Kind.FORBIDDEN)
    if not account.approved_at:
        raise ServiceError(N_("this account is awaiting approval"), Kind.FORBIDDEN)
    if not account.confirmed_at:
        raise ServiceError(N_("confirm your email address first"), Kind.FORBIDDEN, unconfirmed=True)
    return account
