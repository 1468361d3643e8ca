"""Members for in-process tests: a local account of any role with a bearer token, another token of theirs, a
registering app's token, and the site setting that opens the community to visitors."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.db.models import Account, Actor
from server.services.accounts.oauth import issue_token, register_app
from server.services.accounts.scopes import parse_scopes
from tests.support import factories

PASSWORD = "correct horse battery"
ALL_SCOPES = "read write follow admin:read admin:write"


@dataclass
class Member:
    actor: Actor
    token: str

    @property
    def id(self) -> int:
        return self.actor.id

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def member(app, username: str, *, scopes: str = "read write follow", **account: object) -> Member:
    """A new local account (password PASSWORD; `account` as `factories.account` takes it: role, confirmed,
    approved, actor fields) and a bearer token of theirs with `scopes`."""
    async with app.state.sessions() as session:
        created = await factories.account(session, app.state.urls, app.state.settings.domain, username,
                                          password=PASSWORD, **account)
        issued = await issue_token(session, None, created, parse_scopes(scopes), refreshable=False)
        await session.commit()
    return Member(created.actor, issued.access_token)


async def token(app, who: Member, scopes: str) -> dict[str, str]:
    """Headers with another token of `who`'s, with other scopes."""
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.actor_id == who.id))).scalar_one()
        issued = await issue_token(session, None, account, parse_scopes(scopes), refreshable=False)
        await session.commit()
    return bearer(issued.access_token)


async def app_token(app, scopes: str = "read write follow") -> str:
    """A client-credentials token of a registered app, as apps use to register members."""
    async with app.state.sessions() as session:
        registered = await register_app(session, "Test App", "urn:ietf:wg:oauth:2.0:oob", scopes, None)
        issued = await issue_token(session, registered, None, scopes, refreshable=False)
        await session.commit()
        return issued.access_token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def open_to_visitors(app, value: bool = True) -> None:
    """Let visitors read the community's posts (the site setting `public_timelines`; a community is closed by
    default)."""
    from server.services.instance import site

    async with app.state.sessions() as session:
        await site.update(session, [], public_timelines=value)
        await session.commit()
