"""OAuth 2 as Mastodon clients use it: apps, authorization code with PKCE, password, client credentials,
refresh, revoke, and the scope checks of the client API."""
import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import factories
from tests.support.members import PASSWORD
from tests.support.web import csrf_of


@pytest.fixture
async def member(app, session):
    account = await factories.account(session, app.state.urls, app.state.settings.domain, "alice", password=PASSWORD)
    await session.commit()
    return account


async def register(client, scopes="read write follow", redirect="urn:ietf:wg:oauth:2.0:oob"):
    response = await client.post("/api/v1/apps", data={"client_name": "Tusky", "redirect_uris": redirect,
                                                       "scopes": scopes, "website": "https://tusky.app"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_oauth_app_registration_returns_credentials(client):
    app = await register(client)
    assert app["name"] == "Tusky" and app["client_id"] and app["client_secret"]
    assert app["scopes"] == ["follow", "read", "write"]
    bad = await client.post("/api/v1/apps", data={"client_name": "x", "redirect_uris": "oob", "scopes": "read"})
    assert bad.status_code == 422 and "not absolute" in bad.json()["error"]
    unknown = await client.post("/api/v1/apps", data={"client_name": "x", "redirect_uris": "https://a.b/cb",
                                                      "scopes": "read nuke"})
    assert unknown.status_code == 422 and "unknown scope 'nuke'" in unknown.json()["error"]


async def test_oauth_authorization_code_with_pkce(client, member):
    app = await register(client, redirect="https://client.example/cb")
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {"client_id": app["client_id"], "redirect_uri": "https://client.example/cb", "response_type": "code",
             "scope": "read write", "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256"}
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 200 and "Authorize Tusky" in page.text
    query["csrf_token"] = csrf_of(page.text)
    wrong = await client.post("/oauth/authorize", data={**query, "username": "alice", "password": "nope-nope-nope"})
    assert wrong.status_code == 400 and "invalid username or password" in wrong.text
    done = await client.post("/oauth/authorize", data={**query, "username": "alice", "password": PASSWORD})
    assert done.status_code == 302
    redirect = urlsplit(done.headers["location"])
    params = parse_qs(redirect.query)
    assert redirect.netloc == "client.example" and params["state"] == ["xyz"]
    exchange = {"grant_type": "authorization_code", "code": params["code"][0], "client_id": app["client_id"],
                "client_secret": app["client_secret"], "redirect_uri": "https://client.example/cb"}
    assert (await client.post("/oauth/token", data={**exchange, "code_verifier": "w" * 50})).status_code == 400
    token = await client.post("/oauth/token", data={**exchange, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "read write" and token.json()["token_type"] == "Bearer"
    reuse = await client.post("/oauth/token", data={**exchange, "code_verifier": verifier})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"


async def test_oauth_oob_shows_the_code(client, member):
    app = await register(client)
    query = {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "scope": "read"}
    query["csrf_token"] = csrf_of((await client.get("/oauth/authorize", params=query)).text)
    page = await client.post("/oauth/authorize", data={**query, "username": "alice@example.org", "password": PASSWORD})
    assert page.status_code == 200 and "Authorization code" in page.text


async def test_oauth_scopes_beyond_the_app_are_refused(client, member):
    app = await register(client, scopes="read")
    query = {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "scope": "read write"}
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 400 and "exceed" in page.text


async def test_oauth_password_grant_refresh_and_revoke(client, member):
    app = await register(client)
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    token = (await client.post("/oauth/token", data={**creds, "grant_type": "password", "username": "alice",
                                                     "password": PASSWORD, "scope": "read"})).json()
    auth = {"authorization": f"Bearer {token['access_token']}"}
    assert (await client.get("/api/v1/apps/verify_credentials", headers=auth)).json()["name"] == "Tusky"
    renewed = await client.post("/oauth/token", data={**creds, "grant_type": "refresh_token",
                                                      "refresh_token": token["refresh_token"]})
    assert renewed.status_code == 200
    assert (await client.get("/api/v1/apps/verify_credentials", headers=auth)).status_code == 401
    new_auth = {"authorization": f"Bearer {renewed.json()['access_token']}"}
    assert (await client.get("/api/v1/apps/verify_credentials", headers=new_auth)).status_code == 200
    await client.post("/oauth/revoke", data={**creds, "token": renewed.json()["access_token"]})
    assert (await client.get("/api/v1/apps/verify_credentials", headers=new_auth)).status_code == 401


async def test_oauth_bad_client_and_grant_errors(client, member):
    app = await register(client)
    bad = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": app["client_id"],
                                                  "client_secret": "wrong"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    ok = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers={"authorization": f"Basic {basic}"})
    assert ok.status_code == 200 and "refresh_token" not in ok.json()
    odd = await client.post("/oauth/token", data={"grant_type": "magic"}, headers={"authorization": f"Basic {basic}"})
    assert odd.json()["error"] == "unsupported_grant_type"


async def _client_token(client, app, scope=None):
    data = {"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"]}
    return await client.post("/oauth/token", data=data if scope is None else {**data, "scope": scope})


@pytest.mark.parametrize("asked", ["write", "read write", "admin:read", "read:accounts write:statuses", "follow"])
async def test_oauth_client_credentials_refuses_scopes_the_app_did_not_register(client, asked):
    app = await register(client, scopes="read")
    response = await _client_token(client, app, asked)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope", response.text


@pytest.mark.parametrize("registered, asked, granted", [("read", None, "read"), ("read write", "read", "read"),
                                                        ("read", "read:accounts", "read:accounts"),
                                                        ("read write:statuses", "write:statuses", "write:statuses")])
async def test_oauth_client_credentials_grants_what_the_app_registered(client, registered, asked, granted):
    response = await _client_token(client, await register(client, scopes=registered), asked)
    assert response.status_code == 200 and response.json()["scope"] == granted, response.text


async def test_oauth_client_credentials_of_a_write_only_app_needs_a_scope(client):
    app = await register(client, scopes="write:statuses")
    assert (await _client_token(client, app)).json()["error"] == "invalid_scope"


async def test_oauth_missing_or_invalid_token_is_401(client):
    assert (await client.get("/api/v1/apps/verify_credentials")).status_code == 401
    response = await client.get("/api/v1/apps/verify_credentials", headers={"authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json() == {"error": "The access token is invalid"}


async def test_oauth_metadata_document(client):
    meta = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["token_endpoint"] == "https://curbside.test/oauth/token"
    assert "S256" in meta["code_challenge_methods_supported"]


def test_scopes_cover_granular_and_follow():
    from server.services.accounts.scopes import covers, parse_scopes
    granted = parse_scopes("read follow")
    assert covers(granted, "read:statuses") and covers(granted, "write:follows") and covers(granted, "read")
    assert not covers(granted, "write:statuses") and not covers(parse_scopes("read:statuses"), "read")
    assert not covers(parse_scopes("admin:read"), "admin:write:accounts")
