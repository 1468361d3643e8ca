"""/oauth/authorize as a web page: a logged-in member only consents (Authorize / Deny, with a CSRF token);
a visitor logs in on the same form; the page lets its form redirect to the app under the CSP."""
from urllib.parse import parse_qs, urlsplit

from tests.support.members import PASSWORD, member
from tests.support.web import csrf_of, member_session


async def _app(client, redirect: str = "https://client.example/cb") -> dict:
    made = await client.post("/api/v1/apps", data={"client_name": "Tusky", "redirect_uris": redirect,
                                                   "scopes": "read write", "website": "https://tusky.app"})
    return made.json()


def _query(app: dict, redirect: str = "https://client.example/cb") -> dict:
    return {"client_id": app["client_id"], "redirect_uri": redirect, "response_type": "code", "scope": "read",
            "state": "s1"}


async def test_web_oauth_logged_in_member_only_consents(app, client):
    await member_session(app, client, "ada")
    made = await _app(client)
    page = await client.get("/oauth/authorize", params=_query(made))
    assert page.status_code == 200 and "Authorize Tusky" in page.text
    assert 'name="password"' not in page.text and "logged in as <strong>@ada</strong>" in page.text
    assert "form-action 'self' https://client.example;" in page.headers["content-security-policy"]
    unsigned = await client.post("/oauth/authorize", data={**_query(made), "decision": "authorize"})
    assert unsigned.status_code == 403
    done = await client.post("/oauth/authorize", data={**_query(made), "decision": "authorize",
                                                       "csrf_token": csrf_of(page.text)})
    assert done.status_code == 302
    location = urlsplit(done.headers["location"])
    params = parse_qs(location.query)
    assert location.netloc == "client.example" and params["state"] == ["s1"]
    token = await client.post("/oauth/token", data={
        "grant_type": "authorization_code", "code": params["code"][0], "client_id": made["client_id"],
        "client_secret": made["client_secret"], "redirect_uri": "https://client.example/cb"})
    assert token.status_code == 200 and token.json()["scope"] == "read"
    me = await client.get("/api/v1/accounts/verify_credentials",
                          headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["username"] == "ada"


async def test_web_oauth_deny_sends_access_denied_back_to_the_app(app, client):
    await member_session(app, client, "bob")
    made = await _app(client)
    page = await client.get("/oauth/authorize", params=_query(made))
    denied = await client.post("/oauth/authorize", data={**_query(made), "decision": "deny",
                                                         "csrf_token": csrf_of(page.text)})
    assert denied.status_code == 302
    params = parse_qs(urlsplit(denied.headers["location"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == ["s1"] and "code" not in params


async def test_web_oauth_visitor_logs_in_on_the_consent_form(app, client):
    await member(app, "cy")
    made = await _app(client, "urn:ietf:wg:oauth:2.0:oob")
    query = _query(made, "urn:ietf:wg:oauth:2.0:oob")
    page = await client.get("/oauth/authorize", params=query)
    assert 'name="password"' in page.text and "form-action 'self';" in page.headers["content-security-policy"]
    done = await client.post("/oauth/authorize", data={**query, "csrf_token": csrf_of(page.text), "username": "cy",
                                                       "password": PASSWORD, "decision": "authorize"})
    assert done.status_code == 200 and "Authorization code" in done.text
    assert "curbside_session=" in done.headers["set-cookie"]  # logged in to the web as well
    again = await client.get("/oauth/authorize", params=query)
    assert 'name="password"' not in again.text


async def test_web_oauth_unknown_app_or_scope_is_explained(app, client):
    page = await client.get("/oauth/authorize", params={"client_id": "nope", "redirect_uri": "https://x.example/",
                                                        "response_type": "code"})
    assert page.status_code == 400 and "unknown client_id" in page.text and "<form" not in page.text.split("<main")[1]
