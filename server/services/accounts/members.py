"""Local accounts: create and list members, each with the Actor that is their public face."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.keys import generate_rsa_keypair
from moderation.errors import ServiceError
from server.db.models import Account, Actor
from server.db.types import utcnow
from server.i18n import N_
from server.services.accounts.passwords import hash_password
from server.urls import LocalUrls

ROLES = ("admin", "moderator", "member")
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,30}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


@dataclass(frozen=True)
class NewAccount:
    username: str
    email: str
    password: str | None = None
    role: str = "member"
    display_name: str = ""
    confirmed: bool = True
    approved: bool = True


def _validate(new: NewAccount) -> None:
    if not USERNAME.match(new.username):
        raise ServiceError(N_("username must be 1-30 letters, digits or underscores"))
    if not EMAIL.match(new.email):
        raise ServiceError(N_("not an email address: %(value)s"), values={"value": repr(new.email)})
    if new.role not in ROLES:
        raise ServiceError(N_("role must be one of %(choices)s"), values={"choices": ", ".join(ROLES)})


async def find_local_actor(session: AsyncSession, domain: str, username: str) -> Actor | None:
    query = select(Actor).where(Actor.local.is_(True), Actor.domain == domain,
                                func.lower(Actor.username) == username.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def find_local_account(session: AsyncSession, domain: str, username: str) -> Account | None:
    query = select(Account).join(Actor, Account.actor_id == Actor.id).where(
        Actor.local.is_(True), Actor.domain == domain, func.lower(Actor.username) == username.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def create_account(session: AsyncSession, urls: LocalUrls, domain: str, new: NewAccount) -> Account:
    """Create a member and their actor (with a fresh RSA key pair); the caller commits."""
    _validate(new)
    email = new.email.strip().lower()
    if await find_local_actor(session, domain, new.username):
        raise ServiceError(N_("username %(name)s is taken"), values={"name": repr(new.username)})
    if (await session.execute(select(Account.id).where(Account.email == email))).first():
        raise ServiceError(N_("an account with email %(email)s exists already"), values={"email": email})
    password_hash = hash_password(new.password) if new.password is not None else None
    private_pem, public_pem = generate_rsa_keypair()
    now = utcnow()
    actor = Actor(
        uri=urls.actor(new.username), local=True, username=new.username, domain=domain,
        display_name=new.display_name or new.username, url=urls.profile(new.username),
        inbox=urls.inbox(new.username), outbox=urls.outbox(new.username),
        shared_inbox=urls.shared_inbox, followers_url=urls.followers(new.username),
        following_url=urls.following(new.username), public_key_id=urls.key_id(new.username),
        public_key_pem=public_pem, private_key_pem=private_pem, published=now,
    )
    account = Account(actor=actor, email=email, password_hash=password_hash, role=new.role,
                      confirmed_at=now if new.confirmed else None, approved_at=now if new.approved else None)
    session.add_all([actor, account])
    await session.flush()
    return account


async def list_accounts(session: AsyncSession) -> list[Account]:
    return list((await session.execute(select(Account).order_by(Account.id))).scalars())
