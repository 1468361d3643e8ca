"""Checking a member's credentials: one message for every failure, so that it says nothing of which part
was wrong; failures are counted per account and per IP address, and too many lock them out a while
(server.services.accounts.login_throttle)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor
from server.services.accounts import login_throttle as throttle
from server.services.accounts.passwords import hash_password, verify_password


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-0")


class LoginError(Exception):
    pass


class LoginUnconfirmed(LoginError):
    """The right password, but the email address is not confirmed yet (a new link can be mailed)."""


class LoginThrottled(LoginError):
    """Too many failed attempts; `retry_after` seconds until the next may be tried."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed login attempts; try again in {retry_after} seconds")
        self.retry_after = retry_after


async def find_login(session: AsyncSession, login: str) -> Account | None:
    """The account a username or email names."""
    login = (login or "").strip()
    query = select(Account).join(Actor, Account.actor_id == Actor.id)
    if "@" in login:
        query = query.where(Account.email == login.lower())
    else:
        query = query.where(Actor.local.is_(True), func.lower(Actor.username) == login.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def _failed(session: AsyncSession, keys: list[str]) -> LoginError:
    for key in keys:
        await throttle.record_failure(session, key)
    # Committed at once: the caller rolls back on LoginError, and the failure must count regardless.
    await session.commit()
    return LoginError("invalid username or password")


async def check_login(session: AsyncSession, login: str, password: str, *, ip: str | None = None) -> Account:
    """The account for a username or email and password; LoginError otherwise (same time either way).

    LoginThrottled (a LoginError) while the account or `ip` is locked out, even for the right password.
    """
    keys = [throttle.ip_key(ip)] if ip else []
    account = await find_login(session, login)
    if account is not None:
        keys.append(throttle.account_key(account.id))
    try:
        for key in keys:
            await throttle.check(session, key)
    except throttle.Throttled as exc:
        raise LoginThrottled(exc.retry_after) from None
    if account is None:
        verify_password(_dummy_hash(), password or "")  # spend the same time as a real check
        raise await _failed(session, keys)
    if not verify_password(account.password_hash, password or ""):
        raise await _failed(session, keys)
    await throttle.clear(session, throttle.account_key(account.id))
    if account.disabled_at:
        raise LoginError("this account is disabled")
    if not account.approved_at:
        raise LoginError("this account is awaiting approval")
    if not account.confirmed_at:
        raise LoginUnconfirmed("confirm your email address first")
    return account
