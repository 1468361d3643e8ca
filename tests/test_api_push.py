"""/api/v1/push/subscription as Mastodon's: one subscription per token, the `push` scope, WebPushSubscription
entities; the instance's VAPID key in /api/v2/instance and app registrations."""
from __future__ import annotations

import asyncio

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from server.db.models import Account, PushSubscription
from server.services.accounts.oauth import issue_token, register_app
from server.services.accounts.scopes import parse_scopes
from server.services.push.subscriptions import ALERTS
from server.settings import load_settings
from tests.support.api import check_auth
from tests.support.members import bearer, member, token
from tests.support.push_receiver import Subscriber, b64, unb64

PATH = "/api/v1/push/subscription"
PUSH_SCOPES = "read write follow push"


async def server_key(client) -> str:
    return (await client.get("/api/v2/instance")).json()["configuration"]["vapid"]["public_key"]


async def test_push_subscription_create_show_update_delete_as_mastodon(app, client):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    device = Subscriber("https://push.example/wpush/v2/abc")
    created = await client.post(PATH, data={**device.form(mention=True, follow=True), "data[policy]": "followed"},
                                headers=bob.headers)
    assert created.status_code == 200, created.text
    entity = created.json()
    assert entity == {"id": entity["id"], "endpoint": device.endpoint, "server_key": await server_key(client),
                      "policy": "followed", "alerts": {kind: kind in ("mention", "follow") for kind in ALERTS}}
    assert isinstance(entity["id"], str)
    assert (await client.get(PATH, headers=bob.headers)).json() == entity

    changed = await client.put(PATH, json={"data": {"alerts": {"favourite": True, "admin.sign_up": "1"},
                                                    "policy": "all"}}, headers=bob.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["policy"] == "all" and changed.json()["endpoint"] == device.endpoint
    assert {k for k, on in changed.json()["alerts"].items() if on} == {"favourite", "admin.sign_up"}

    assert (await client.delete(PATH, headers=bob.headers)).json() == {}
    assert (await client.get(PATH, headers=bob.headers)).status_code == 404
    assert (await client.put(PATH, data={"data[policy]": "all"}, headers=bob.headers)).status_code == 404
    assert (await client.delete(PATH, headers=bob.headers)).status_code == 200  # nothing to drop: still fine


async def test_push_subscription_takes_json_as_masto_js_sends_it(app, client):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    device = Subscriber("https://push.example/1")
    body = {"subscription": {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)}},
            "data": {"alerts": {"mention": True, "reblog": False}}}
    response = await client.post(PATH, json=body, headers=bob.headers)
    assert response.status_code == 200, response.text
    assert response.json()["alerts"]["mention"] is True and response.json()["alerts"]["reblog"] is False
    assert response.json()["policy"] == "all"


async def test_push_subscription_needs_the_push_scope_and_a_member(app, client):
    alice = await member(app, "alice")  # read write follow: no push
    device = Subscriber("https://push.example/1")
    for method, kwargs in (("POST", {"data": device.form()}), ("GET", {}), ("PUT", {"data": {}}), ("DELETE", {})):
        await check_auth(client, method, PATH, alice.headers, **kwargs)
    granular = await token(app, alice, "push")
    assert (await client.get(PATH, headers=granular)).status_code == 404  # allowed; none yet


async def test_push_subscription_is_one_per_token_and_a_new_one_replaces_it(app, client, session):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    other = await token(app, bob, PUSH_SCOPES)
    first, second, third = (Subscriber(f"https://push.example/{n}") for n in range(3))
    await client.post(PATH, data=first.form(mention=True), headers=bob.headers)
    await client.post(PATH, data=second.form(), headers=bob.headers)
    await client.post(PATH, data=third.form(), headers=other)
    assert (await client.get(PATH, headers=bob.headers)).json()["endpoint"] == second.endpoint
    assert (await client.get(PATH, headers=other)).json()["endpoint"] == third.endpoint
    assert await session.scalar(select(func.count()).select_from(PushSubscription)) == 2


async def test_push_subscription_refuses_what_cannot_be_pushed_to(app, client):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    device = Subscriber("https://push.example/1")
    other_curve = b64(ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    cases = [
        {"subscription[endpoint]": "http://push.example/1"},  # plain http, in production
        {"subscription[endpoint]": "ftp://push.example/1"},
        {"subscription[endpoint]": "https://push.example/" + "a" * 3000},
        {"subscription[endpoint]": ""},
        {"subscription[keys][p256dh]": "not base64 at all!"},
        {"subscription[keys][p256dh]": b64(b"\x04" + b"\x01" * 64)},  # not a point on P-256
        {"subscription[keys][p256dh]": other_curve},
        {"subscription[keys][auth]": b64(b"short")},
        {"subscription[keys][auth]": "é"},
        {"data[policy]": "everyone"},
    ]
    for case in cases:
        response = await client.post(PATH, data={**device.form(), **case}, headers=bob.headers)
        assert response.status_code == 422, (case, response.status_code, response.text)
        assert response.json()["error"]
    missing = {k: v for k, v in device.form().items() if k != "subscription[keys][auth]"}
    assert (await client.post(PATH, data=missing, headers=bob.headers)).status_code == 422
    nested = {"subscription": {"endpoint": ["x"]}}
    assert (await client.post(PATH, json=nested, headers=bob.headers)).status_code == 422
    assert (await client.get(PATH, headers=bob.headers)).status_code == 404


async def test_push_subscription_takes_plain_http_where_the_instance_allows_it(fed_app, fed_client):
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    device = Subscriber("http://localhost:9999/push")
    response = await fed_client.post(PATH, data=device.form(), headers=bob.headers)
    assert response.status_code == 200, response.text


async def test_push_subscription_goes_when_its_token_is_revoked(app, client, session):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    registered = await register_app(session, "Phone", "urn:ietf:wg:oauth:2.0:oob", PUSH_SCOPES, None)
    account = (await session.execute(select(Account).where(Account.actor_id == bob.id))).scalar_one()
    issued = await issue_token(session, registered, account, parse_scopes(PUSH_SCOPES), refreshable=False)
    await session.commit()
    phone, laptop = Subscriber("https://push.example/phone"), Subscriber("https://push.example/laptop")
    assert (await client.post(PATH, data=phone.form(mention=True), headers=bearer(issued.access_token))).is_success
    assert (await client.post(PATH, data=laptop.form(mention=True), headers=bob.headers)).is_success

    revoked = await client.post("/oauth/revoke", data={"client_id": registered.client_id,
                                                       "client_secret": registered.client_secret,
                                                       "token": issued.access_token})
    assert revoked.status_code == 200, revoked.text
    endpoints = (await session.execute(select(PushSubscription.endpoint))).scalars().all()
    assert endpoints == [laptop.endpoint]


async def test_vapid_key_is_made_once_per_instance_and_given_to_apps(app, client, settings):
    key = await server_key(client)
    point = unb64(key)
    assert len(point) == 65 and point[0] == 4 and "=" not in key and "+" not in key and "/" not in key
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # a P-256 point
    assert (settings.data_dir / "vapid_key.pem").stat().st_mode & 0o777 == 0o600
    again = load_settings({"CURBSIDE_DATA_DIR": str(settings.data_dir), "CURBSIDE_DATABASE_URL": settings.database_url})
    assert again.vapid_key == settings.vapid_key

    registered = await client.post("/api/v1/apps", data={"client_name": "Phone", "scopes": "read push",
                                                         "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    assert registered.json()["vapid_key"] == key
    assert (await client.get("/api/v1/instance")).json()["configuration"]["vapid"] == {"public_key": key}


async def test_vapid_keys_differ_between_instances(tmp_path):
    first = load_settings({"CURBSIDE_DATA_DIR": str(tmp_path / "a")}).vapid_key
    second = load_settings({"CURBSIDE_DATA_DIR": str(tmp_path / "b")}).vapid_key
    assert first.startswith("-----BEGIN PRIVATE KEY-----") and first != second


async def test_push_subscriptions_made_at_once_with_one_token_leave_one_and_no_error(app, client, session):
    bob = await member(app, "bob", scopes=PUSH_SCOPES)
    devices = [Subscriber(f"https://push.example/{n}") for n in range(5)]
    answers = await asyncio.gather(*(client.post(PATH, data=d.form(), headers=bob.headers) for d in devices))
    assert {a.status_code for a in answers} <= {200, 409} and 200 in {a.status_code for a in answers}
    assert await session.scalar(select(func.count()).select_from(PushSubscription)) == 1
