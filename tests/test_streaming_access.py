"""Open streams end with the right to read them: a token revoked, its member suspended by a moderator, their
password reset, their account disabled or deleted. SSE and WebSocket streams close within seconds on every
process (server.services.reading.stream_events.access_ended), and no process honours the token from its cache after."""
import asyncio
import contextlib
import json
import time
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from server.api.mastodon import auth as auth_module
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import Account, OAuthToken
from server.runtime import Runtime
from server.services.accounts import mailed_tokens as account_tokens
from server.services.accounts import member_admin
from server.services.accounts.members import NewAccount, create_account
from server.services.accounts.oauth import issue_token, register_app, revoke_tokens
from server.services.posts.authoring import NewPost, create_post
from server.settings import load_settings
from server.streaming.hub import MISSED_SECONDS
from tests.support import factories
from tests.support.asgi_streams import EventStream, WebSocketStream
from tests.support.instances import Instance
from tests.support.members import ALL_SCOPES, PASSWORD, bearer, member
from tests.support.web import form_token, log_in, member_session

CLOSE_SECONDS = 5.0  # "within seconds": SQLite's poll is 1 s, PostgreSQL's NOTIFY arrives at once
OOB = "urn:ietf:wg:oauth:2.0:oob"


@dataclass(frozen=True)
class Reader:
    """alice, reading with an app's token (password grant), so that the app may revoke it."""
    actor_id: int
    token: str
    app: dict[str, str]


async def reader(app, client) -> Reader:
    await member(app, "alice")
    registered = (await client.post("/api/v1/apps", data={"client_name": "Tusky", "redirect_uris": OOB,
                                                          "scopes": "read write"})).json()
    creds = {"client_id": registered["client_id"], "client_secret": registered["client_secret"]}
    issued = await client.post("/oauth/token", data={**creds, "grant_type": "password", "username": "alice",
                                                     "password": PASSWORD, "scope": "read"})
    token = issued.json()["access_token"]
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))  # now in the token cache
    assert me.status_code == 200
    return Reader(int(me.json()["id"]), token, creds)


async def revoke(app, client, alice: Reader) -> None:
    assert (await client.post("/oauth/revoke", data={**alice.app, "token": alice.token})).status_code == 200


async def suspend(app, client, alice: Reader) -> None:
    moderator = (await member(app, "mod", role="moderator", scopes=ALL_SCOPES)).token
    done = await client.post(f"/api/v1/admin/accounts/{alice.actor_id}/action", data={"type": "suspend"},
                             headers=bearer(moderator))
    assert done.status_code == 200, done.text


async def reset_password(app, client, alice: Reader) -> None:
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.actor_id == alice.actor_id))).scalar_one()
        link = await account_tokens.issue_token(session, account, "reset")  # as mailed by the reset form
        await session.commit()
    done = await client.post("/api/v1/curbside/auth/password", json={"token": link, "password": "a new passphrase"})
    assert done.status_code == 200, done.text


async def disable(app, client, alice: Reader) -> None:
    await member_session(app, client, "boss", role="admin")
    csrf = await form_token(client, "/admin/members")
    assert (await client.post(f"/admin/members/{alice.actor_id}/disable", data={"csrf_token": csrf})).status_code == 303


async def delete(app, client, alice: Reader) -> None:
    assert (await log_in(client, "alice")).status_code == 303
    form = {"csrf_token": await form_token(client, "/settings/delete"), "password": PASSWORD, "confirm": "on"}
    assert (await client.post("/settings/delete", data=form)).status_code == 200


def open_stream(app, transport: str, token: str):
    if transport == "sse":
        return EventStream(app, "/api/v1/streaming/user", token)
    return WebSocketStream(app, f"/api/v1/streaming?stream=user&access_token={token}")


@pytest.mark.parametrize("transport", ["sse", "websocket"])
@pytest.mark.parametrize("change", [revoke, suspend, reset_password, disable, delete])
async def test_streaming_closes_when_the_right_to_read_ends(app, client, change, transport):
    alice = await reader(app, client)
    async with open_stream(app, transport, alice.token) as stream:
        assert stream.status == 200 if transport == "sse" else stream.accepted
        await change(app, client, alice)
        assert await stream.ended(CLOSE_SECONDS)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 401


async def test_streaming_closes_only_the_streams_whose_right_ended(app, client):
    """A revocation closes the streams it covers, and no other."""
    alice = await reader(app, client)
    other = (await member(app, "bob", scopes=ALL_SCOPES)).token
    async with EventStream(app, "/api/v1/streaming/user", alice.token) as hers, \
            EventStream(app, "/api/v1/streaming/public", other) as his:
        await revoke(app, client, alice)
        assert await hers.ended(CLOSE_SECONDS)
        assert not await his.ended(0.5)


async def another_process(settings, work) -> None:
    """`work(session)` committed through an engine of its own, as a second `serve` process or the CLI would."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            await work(session)
            await session.commit()
    finally:
        await engine.dispose()


async def test_streaming_closes_when_another_process_ends_the_right(app, client, settings):
    """The change is committed elsewhere: this process's hub reads it, closes the stream and drops the token it
    cached (without that, the token would be honoured here for TOKEN_CACHE_SECONDS)."""
    alice = await reader(app, client)

    async def disable_alice(session):
        account = (await session.execute(select(Account).where(Account.actor_id == alice.actor_id))).scalar_one()
        await member_admin.disable(session, account, by="cli:root")

    async with WebSocketStream(app, f"/api/v1/streaming?stream=user&access_token={alice.token}") as stream:
        await another_process(settings, disable_alice)
        assert await stream.ended(CLOSE_SECONDS)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 401


async def test_streaming_refuses_a_token_revoked_elsewhere_before_this_process_heard(app, client, settings):
    """Authenticated from the cache, revoked by another process in the meantime: the stream is still refused."""
    alice = await reader(app, client)
    hers = OAuthToken.account_id.in_(select(Account.id).where(Account.actor_id == alice.actor_id))
    await another_process(settings, lambda session: revoke_tokens(session, hers))
    async with EventStream(app, "/api/v1/streaming/user", alice.token) as stream:
        assert stream.status == 401


@pytest.mark.integration
async def test_streaming_revoked_through_one_process_closes_on_another(tmp_path, database_url):
    """Two `curbside serve` processes of one instance on one database: the app revokes its token through the
    first; the stream open on the second closes, and the second refuses the token it had cached."""
    first = Instance(tmp_path / "site", database_url=database_url)
    first.data_dir.mkdir(parents=True)
    token, creds = await _reader_in(first)
    second = first.sibling()
    try:
        first.start()
        second.start()
        async with httpx.AsyncClient(timeout=30) as http:
            assert (await http.get(f"{second.base_url}/api/v1/accounts/verify_credentials",
                                   headers=bearer(token))).status_code == 200  # cached by the second
            async with http.stream("GET", f"{second.base_url}/api/v1/streaming/user", headers=bearer(token)) as stream:
                chunks = stream.aiter_bytes()
                assert stream.status_code == 200 and await anext(chunks) == b":)\n"
                revoked = await http.post(f"{first.base_url}/oauth/revoke", data={**creds, "token": token})
                assert revoked.status_code == 200
                async with asyncio.timeout(CLOSE_SECONDS):
                    assert [chunk async for chunk in chunks] == []  # the end, before any heartbeat
            assert (await http.get(f"{second.base_url}/api/v1/accounts/verify_credentials",
                                   headers=bearer(token))).status_code == 401
    finally:
        second.stop()
        first.stop()


async def _reader_in(instance: Instance) -> tuple[str, dict[str, str]]:
    """alice and an app's token of hers, written to the instance's database."""
    runtime = Runtime.create(load_settings(instance.env))
    try:
        async with runtime.sessions() as session:
            account = await create_account(session, runtime.urls, runtime.settings.domain,
                                           NewAccount(username="alice", email="alice@example.org"))
            registered = await register_app(session, "Tusky", OOB, "read", None)
            issued = await issue_token(session, registered, account, "read")
            await session.commit()
    finally:
        await runtime.close()
    return issued.access_token, {"client_id": registered.client_id, "client_secret": registered.client_secret}


async def test_token_read_before_its_revocation_is_not_cached_after_it(app, client, settings, monkeypatch):
    """A request looked the token up just before another process revoked it, and this process's hub heard of it
    before the request was done: what the request read is not remembered, so the next request is refused."""
    alice = await reader(app, client)
    app.state.runtime.caches.forget("tokens")
    looked_up, hub = auth_module.lookup_token, app.state.hub

    async def lookup_then_revoked(session, token):
        row = await looked_up(session, token)
        await another_process(settings, lambda other: revoke_tokens(other, OAuthToken.id == row.id))
        await hub.source.catch_up()
        await hub.pump()
        return row

    monkeypatch.setattr(auth_module, "lookup_token", lookup_then_revoked)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 200
    monkeypatch.setattr(auth_module, "lookup_token", looked_up)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 401


async def test_ended_access_forgets_only_the_tokens_it_names(app, client, monkeypatch):
    """Revoking alice's token leaves bob's cached: his next request costs no token query."""
    alice, bob = await reader(app, client), (await member(app, "bob", scopes=ALL_SCOPES)).token
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(bob))).status_code == 200
    lookups = []

    async def counted(session, token):
        lookups.append(token)
        return await looked_up(session, token)

    looked_up = auth_module.lookup_token
    monkeypatch.setattr(auth_module, "lookup_token", counted)
    await revoke(app, client, alice)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(bob))).status_code == 200
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 401
    assert lookups == [alice.token]


@contextlib.asynccontextmanager
async def listener_lost(app):
    """The hub's PostgreSQL listening connection is lost, and stays lost until the block ends."""
    source = app.state.hub.source
    async with source.lock:
        await source.connection.close()
        yield source


def postgres_only(settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has no listener to lose: every process reads the table by id")


async def test_listener_reconnecting_applies_what_it_missed_and_keeps_other_streams(app, client, settings):
    """Ended access committed while the listener was away is read from the table on reconnecting: it closes the
    streams it covers and no other (each of those clients would reconnect at once)."""
    postgres_only(settings)
    alice, bob = await reader(app, client), (await member(app, "bob", scopes=ALL_SCOPES)).token
    assert (await client.post("/api/v1/statuses", json={"status": "before"}, headers=bearer(bob))).status_code == 200
    hers_only = OAuthToken.account_id.in_(select(Account.id).where(Account.actor_id == alice.actor_id))

    async def revoke_hers_and_post(session):
        await revoke_tokens(session, hers_only)
        carol = await factories.member(session, app.state.urls, app.state.settings.domain, "carol")
        await create_post(app.state.runtime, session, carol, NewPost(text="while the listener was away"))

    async with EventStream(app, "/api/v1/streaming/user", alice.token) as hers, \
            EventStream(app, "/api/v1/streaming/public", bob) as his:
        async with listener_lost(app):
            await another_process(settings, revoke_hers_and_post)
        assert await hers.ended(CLOSE_SECONDS)
        event, data = await his.next(CLOSE_SECONDS)
        assert event == "update" and json.loads(data)["content"] == "<p>while the listener was away</p>"
        assert not await his.ended(0.5)
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(alice.token))).status_code == 401


async def test_listener_away_longer_than_events_are_kept_closes_every_stream(app, client, settings):
    postgres_only(settings)
    bob = (await member(app, "bob", scopes=ALL_SCOPES)).token
    async with EventStream(app, "/api/v1/streaming/user", bob) as his:
        async with listener_lost(app) as source:
            source.lost_at = time.monotonic() - MISSED_SECONDS - 1
        assert await his.ended(CLOSE_SECONDS)
