"""Helpers for moderation tests: policies written as an admin would, the host of a fake remote server."""
from __future__ import annotations

from moderation.domains import DomainPolicy, FederationMode, Severity
from server.services.moderation.domains import set_local_policy, set_mode
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


def host_of(fake: FakeRemote) -> str:
    return fake.base.split("://", 1)[1]

