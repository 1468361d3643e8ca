"""Members with bearer tokens for in-process client API tests."""
from __future__ import annotations

from dataclasses import dataclass

from server.db.models import Actor
from server.services.accounts.members import NewAccount, create_account
from server.services.accounts.oauth import issue_token
from server.services.accounts.scopes import parse_scopes


@dataclass
class Member:
    actor: Actor
    headers: dict[str, str]

    @property
    def id(self) -> int:
        return self.actor.id


async def member(app, username: str, scopes: str = "read write follow") -> Member:
    """A new member and a token of theirs with `scopes`."""
    async with app.state.sessions() as session:
        account = await create_account(session, app.state.urls, app.state.settings.domain,
                                       NewAccount(username=username, email=f"{username}@example.org"))
        issued = await issue_token(session, None, account, parse_scopes(scopes), refreshable=False)
        await session.commit()
    return Member(account.actor, {"authorization": f"Bearer {issued.access_token}"})


async def token(app, who: Member, scopes: str) -> dict[str, str]:
    """Another token of `who`'s, with other scopes."""
    from server.db.models import Account
    from sqlalchemy import select

    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.actor_id == who.id))).scalar_one()
        issued = await issue_token(session, None, account, parse_scopes(scopes), refreshable=False)
        await session.commit()
    return {"authorization": f"Bearer {issued.access_token}"}


async def check_auth(client, method: str, path: str, wrong_scope_headers: dict, **kwargs) -> None:
    """No token: 401; a token without the scope: 403."""
    response = await client.request(method, path, **kwargs)
    assert response.status_code == 401, (path, response.status_code, response.text)
    response = await client.request(method, path, headers=wrong_scope_headers, **kwargs)
    assert response.status_code == 403, (path, response.status_code, response.text)


async def media_ready(client, headers: dict[str, str], response, timeout: float = 30.0) -> dict:
    """The upload's entity once the privacy guard has looked at it: v2 answers 202 while it looks, and
    GET /api/v1/media/:id answers 206 until the verdict is in, then 200."""
    import anyio

    assert response.status_code in (200, 202), response.text
    entity = response.json()
    with anyio.fail_after(timeout):
        while entity["curbside"]["phi_status"] == "queued":
            await anyio.sleep(0.05)
            polled = await client.get(f"/api/v1/media/{entity['id']}", headers=headers)
            entity = polled.json()
            assert polled.status_code == (206 if entity["curbside"]["phi_status"] == "queued" else 200), polled.text
    return entity
