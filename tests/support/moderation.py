"""Helpers for moderation tests: policies written as an admin would, members with tokens, a fake
remote server whose requests can be counted."""
from __future__ import annotations

import pytest

from moderation.domains import DomainPolicy, FederationMode, Severity
from server.db.models import Actor
from server.services.accounts.members import NewAccount, create_account
from server.services.moderation.domains import set_local_policy, set_mode
from server.services.accounts.oauth import issue_token
from tests.loopback_server import serve
from tests.support.fake_remote import FakeRemote


async def set_policy(app, domain: str, severity: Severity = Severity.SUSPEND, **fields) -> None:
    async with app.state.sessions() as session:
        await set_local_policy(session, DomainPolicy(domain, severity, **fields), by="test")
        await session.commit()


async def allow(app, domain: str) -> None:
    async with app.state.sessions() as session:
        await set_local_policy(session, DomainPolicy(domain, allow=True), by="test")
        await session.commit()


async def mode(app, value: FederationMode) -> None:
    async with app.state.sessions() as session:
        await set_mode(session, value, by="test")
        await session.commit()


async def user(app, username: str, role: str = "member", scopes: str = "read write follow") -> tuple[Actor, str]:
    """A local account of `role` and a bearer token with `scopes`."""
    async with app.state.sessions() as session:
        account = await create_account(session, app.state.urls, app.state.settings.domain,
                                       NewAccount(username=username, email=f"{username}@example.org", role=role))
        token = await issue_token(session, None, account, scopes, refreshable=False)
        await session.commit()
        return account.actor, token.access_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def host_of(fake: FakeRemote) -> str:
    return fake.base.split("://", 1)[1]


@pytest.fixture
async def remote_host():
    """(FakeRemote, its LoopbackServer): the server records every request it received."""
    fake = FakeRemote()
    async with serve(fake.handle) as server:
        fake.base = server.url("").rstrip("/")
        yield fake, server
