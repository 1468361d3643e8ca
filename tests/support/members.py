"""Test helpers for members: accounts with tokens (any role), a registering app, and apps with SMTP."""
from __future__ import annotations

import dataclasses

import httpx
import pytest

from server.app import create_app
from server.services.accounts.members import NewAccount, create_account
from server.services.accounts.oauth import issue_token, register_app

PASSWORD = "correct horse battery"
ALL_SCOPES = "read write follow admin:read admin:write"


async def member_token(app, username: str, *, role: str = "member", scopes: str = ALL_SCOPES,
                       confirmed: bool = True, approved: bool = True) -> str:
    """A local account of `role` and a bearer token for it."""
    async with app.state.sessions() as session:
        account = await create_account(session, app.state.urls, app.state.settings.domain, NewAccount(
            username=username, email=f"{username}@example.org", password=PASSWORD, role=role,
            confirmed=confirmed, approved=approved))
        issued = await issue_token(session, None, account, scopes)
        await session.commit()
        return issued.access_token


async def app_token(app, scopes: str = "read write follow") -> str:
    """A client-credentials token of a registered app, as apps use to register members."""
    async with app.state.sessions() as session:
        registered = await register_app(session, "Test App", "urn:ietf:wg:oauth:2.0:oob", scopes, None)
        issued = await issue_token(session, registered, None, scopes, refreshable=False)
        await session.commit()
        return issued.access_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def mail_app(settings, smtp):
    """The test app sending mail to the loopback SMTP server `smtp`."""
    application = create_app(dataclasses.replace(settings, smtp_url=smtp.url, smtp_from="society@curbside.test"))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def mail_client(mail_app):
    transport = httpx.ASGITransport(app=mail_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=mail_app.state.settings.base_url) as c:
        yield c


async def open_to_visitors(app, value: bool = True) -> None:
    """Let visitors read the community's posts (the site setting `public_timelines`; a community is closed by default)."""
    from server.services.instance import site

    async with app.state.sessions() as session:
        await site.update(session, [], public_timelines=value)
        await session.commit()
