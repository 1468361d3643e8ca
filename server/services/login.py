"""Checking a member's credentials: one message for every failure, so that it says nothing of which part was wrong."""
from __future__ import annotations

from functools import cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor
from server.services.passwords import hash_password, verify_password



@cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-0")


class LoginError(Exception):
    pass


async def check_login(session: AsyncSession, login: str, password: str) -> Account:
    """The account for a username or email and password; LoginError otherwise (same time either way)."""
    login = (login or "").strip()
    query = select(Account).join(Actor, Account.actor_id == Actor.id)
    if "@" in login:
        query = query.where(Account.email == login.lower())
    else:
        query = query.where(Actor.local.is_(True), func.lower(Actor.username) == login.lower())
    account = (await session.execute(query)).scalar_one_or_none()
    if account is None:
        verify_password(_dummy_hash(), password or "")  # spend the same time as a real check
        raise LoginError("invalid username or password")
    if not verify_password(account.password_hash, password or ""):
        raise LoginError("invalid username or password")
    if account.disabled_at:
        raise LoginError("this account is disabled")
    if not account.approved_at:
        raise LoginError("this account is awaiting approval")
    if not account.confirmed_at:
        raise LoginError("confirm your email address first")
    return account
