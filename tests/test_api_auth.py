"""Every client-API route of the route table refuses callers without a token (401) and tokens without
the scope it declares (403): the test walks server/api/mastodon/routes.py, so a new route cannot skip it."""
import re

import httpx
from starlette.routing import Route

from server.api.mastodon.auth import Need
from server.api.mastodon.routes import ROUTES
from server.services.accounts.oauth import issue_token
from server.services.accounts.scopes import KNOWN, covers
from tests.support import factories
from tests.support.members import open_to_visitors


def concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", lambda m: "medicine" if m.group(0) == "{hashtag}" else "1", path)


def calls(*kinds: str):
    for route in ROUTES:
        if isinstance(route, Route) and route.need.token in kinds and (route.need.scope or "scopeless" in kinds):
            for method in sorted(route.methods - {"HEAD"}):
                yield route, method


async def token_for(app, session, username: str, scopes) -> str:
    account = await factories.account(session, app.state.urls, app.state.settings.domain, username)
    issued = await issue_token(session, None, account, frozenset(scopes), refreshable=False)
    await session.commit()
    return issued.access_token


def test_api_auth_every_route_declares_its_need():
    for route in ROUTES:
        need = getattr(route, "need", None)
        assert isinstance(need, Need), f"{route.path} declares no Need"
        assert need.token in ("none", "optional", "user", "app"), route.path
        if need.token == "optional" or need.scope is not None:
            assert need.scope in KNOWN, f"{route.path}: unknown scope {need.scope!r}"


async def test_api_auth_missing_or_invalid_token_is_401(app, client):
    wrong = []
    # an invalid token counts against its caller's IP: these come from a second one, within both budgets
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 1)),
                              base_url=app.state.settings.base_url)
    async with other:
        for route, method in calls("user", "app", "scopeless"):
            for caller, headers in ((client, {}), (other, {"Authorization": "Bearer not-a-token"})):
                response = await caller.request(method, concrete(route.path), headers=headers)
                if response.status_code != 401 or "error" not in response.json():
                    wrong.append(f"{method} {route.path} {headers}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_api_auth_token_without_the_scope_is_403(app, client, session):
    wrong = []
    for route, method in calls("user", "optional"):
        scopes = {s for s in KNOWN if not covers(frozenset({s}), route.need.scope)}
        token = await token_for(app, session, f"u{len(wrong)}_{abs(hash((route.path, method))) % 10**8}", scopes)
        response = await client.request(method, concrete(route.path), headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 403:
            wrong.append(f"{method} {route.path} needs {route.need.scope}: {response.status_code} {response.text[:80]}")
    assert not wrong, "\n".join(wrong)


async def test_api_auth_app_token_is_not_a_member(app, client, session):
    issued = await issue_token(session, None, None, frozenset(KNOWN), refreshable=False)
    await session.commit()
    headers = {"Authorization": f"Bearer {issued.access_token}"}
    wrong = []
    for route, method in calls("user", "scopeless"):
        response = await client.request(method, concrete(route.path), headers=headers)
        if response.status_code != 422:
            wrong.append(f"{method} {route.path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert (await client.get("/api/v1/timelines/public", headers=headers)).status_code == 401  # a visitor's
    await open_to_visitors(app)
    public = await client.get("/api/v1/timelines/public", headers=headers)
    assert public.status_code == 200
