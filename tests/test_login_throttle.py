"""Login throttling: failed logins per account and per IP lock them out for growing periods, on the OAuth
password grant and the authorize form alike; a success clears the account's count."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.errors import Kind, ServiceError
from server.db.models import LoginFailure
from server.db.types import utcnow
from server.services.accounts import login_throttle as throttle
from server.services.accounts.login import check_login
from tests.support.members import PASSWORD, member
from tests.support.web import csrf_of

pytestmark = pytest.mark.anyio


async def _fail(session, n: int, login: str = "ada", ip: str = "192.0.2.1") -> None:
    for _ in range(n):
        with pytest.raises(ServiceError) as error:
            await check_login(session, login, "wrong password!", ip=ip)
        assert error.value.kind is not Kind.RATE_LIMITED


async def test_throttle_locks_an_account_after_free_failures_even_for_the_right_password(app, session):
    await member(app, "ada")
    await _fail(session, throttle.FREE["account"] + 1, ip="192.0.2.1")
    with pytest.raises(ServiceError, match="too many") as locked:
        await check_login(session, "ada", PASSWORD, ip="198.51.100.7")  # another address: the account is locked
    assert locked.value.kind is Kind.RATE_LIMITED
    assert 1 <= locked.value.details["retry_after"] <= throttle.BASE_DELAY.total_seconds()


async def test_throttle_lock_doubles_with_each_further_failure(app, session):
    delays = []
    for _ in range(throttle.FREE["account"] + 3):
        await throttle.record_failure(session, "account:1")
        row = await session.get(LoginFailure, "account:1")
        if row.locked_until:
            delays.append(round((row.locked_until - utcnow()).total_seconds()))
    assert row.failures == throttle.FREE["account"] + 3
    assert delays == [2, 4, 8]


async def test_throttle_success_clears_the_account_count(app, session):
    await member(app, "ada")
    await _fail(session, 3)
    assert (await check_login(session, "ada", PASSWORD, ip="192.0.2.1")).email == "ada@example.org"
    await session.commit()
    rows = (await session.execute(select(LoginFailure.key))).scalars().all()
    assert rows == ["ip:192.0.2.1"]


async def test_throttle_per_ip_covers_unknown_usernames(app, session):
    await member(app, "ada")
    await _fail(session, 1, login="nobody", ip="203.0.113.9")
    assert (await session.get(LoginFailure, "ip:203.0.113.9")).failures == 1
    for _ in range(throttle.FREE["ip"]):  # the rest without Argon2's cost: the count is what matters
        await throttle.record_failure(session, "ip:203.0.113.9")
    with pytest.raises(ServiceError, match="too many"):
        await check_login(session, "ada", PASSWORD, ip="203.0.113.9")
    assert (await check_login(session, "ada", PASSWORD, ip="203.0.113.10")).email == "ada@example.org"


async def test_throttle_forgives_after_a_quiet_window(app, session):
    await member(app, "ada")
    await _fail(session, throttle.FREE["account"] + 1)
    for row in (await session.execute(select(LoginFailure))).scalars():
        row.first_at = utcnow() - throttle.WINDOW - timedelta(minutes=1)
        row.locked_until = utcnow() - timedelta(seconds=1)
    await session.commit()
    await _fail(session, 1)
    assert (await session.get(LoginFailure, throttle.account_key(1))).failures == 1


async def test_throttle_applies_to_the_oauth_password_grant(app, client):
    await member(app, "ada")
    made = (await client.post("/api/v1/apps", data={"client_name": "T", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                    "scopes": "read"})).json()
    grant = {"grant_type": "password", "client_id": made["client_id"], "client_secret": made["client_secret"],
             "username": "ada", "scope": "read"}
    for _ in range(throttle.FREE["account"] + 1):
        wrong = await client.post("/oauth/token", data={**grant, "password": "not the password"})
        assert wrong.status_code == 400
    locked = await client.post("/oauth/token", data={**grant, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert locked.json()["error"] == "too_many_attempts"


async def test_throttle_applies_to_the_authorize_form(app, client):
    await member(app, "ada")
    made = (await client.post("/api/v1/apps", data={"client_name": "T", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                    "scopes": "read"})).json()
    form = {"client_id": made["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "response_type": "code",
            "scope": "read", "username": "ada"}
    form["csrf_token"] = csrf_of((await client.get("/oauth/authorize", params=form)).text)
    for _ in range(throttle.FREE["account"] + 1):
        assert (await client.post("/oauth/authorize", data={**form, "password": "nope nope nope"})).status_code == 400
    locked = await client.post("/oauth/authorize", data={**form, "password": PASSWORD})
    assert locked.status_code == 429 and "too many failed login attempts" in locked.text
