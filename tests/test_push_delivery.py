"""Notifications pushed as Mastodon pushes them: queued with the notification, sent by the worker encrypted for the
subscription (RFC 8291) and signed with the instance's VAPID key (RFC 8292), to a real receiver on loopback that
checks the signature and decrypts (tests/support/push_receiver.py)."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from server.db.models import Account, OAuthToken, PollDeadline, PushDelivery, PushSubscription
from server.db.types import utcnow
from server.jobs.push import MAX_ATTEMPTS, PushRunner
from server.services.accounts.oauth import revoke_tokens
from server.services.posts import poll_closing
from tests.support.api import status
from tests.support.apps import client_of, running_app
from tests.support.members import member
from tests.support.push_receiver import receiving

PATH = "/api/v1/push/subscription"
PUSH_SCOPES = "read write follow push"
FIELDS = {"access_token", "preferred_locale", "notification_id", "notification_type", "title", "body", "icon"}


@pytest.fixture
async def receiver(fed_client):
    key = (await fed_client.get("/api/v2/instance")).json()["configuration"]["vapid"]["public_key"]
    async with receiving(key) as receiver:
        yield receiver


async def subscribe(client, who, device, **form) -> None:
    response = await client.post(PATH, data={**device.form(**form.pop("alerts", {})), **form}, headers=who.headers)
    assert response.status_code == 200, response.text


async def push_all(app, runner: PushRunner | None = None) -> int:
    runner, total = runner or PushRunner(), 0
    while handled := await runner.run_once(app.state.runtime):
        total += handled
        await runner.wait_idle()
    return total


async def queued(app) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(select(func.count()).select_from(PushDelivery))


async def test_push_mention_reaches_the_phone_signed_and_decryptable(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice", display_name="Dr Alice Archer")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    phone = receiver.subscriber("bob-phone")
    await subscribe(fed_client, bob, phone, alerts={"mention": True})

    await status(fed_client, alice, "@bob the ECG review is at noon & after")
    assert await push_all(fed_app) == 1

    assert receiver.refused == [] and len(receiver.received) == 1
    push = receiver.received[0]
    assert set(push.payload) == FIELDS
    notifications = (await fed_client.get("/api/v1/notifications", headers=bob.headers)).json()
    assert push.payload["notification_id"] == int(notifications[0]["id"])
    assert push.payload["notification_type"] == "mention"
    assert push.payload["title"] == "You were mentioned by Dr Alice Archer"
    assert push.payload["body"] == "@bob the ECG review is at noon & after"  # text, not HTML
    assert push.payload["access_token"] == bob.token  # the app fetches the notification with it
    assert push.payload["preferred_locale"] == "en"
    assert push.payload["icon"].startswith("http://curbside.test/")
    assert push.headers["ttl"] == str(48 * 3600) and push.headers["urgency"] == "normal"
    assert push.headers["content-type"] == "application/octet-stream"
    assert await queued(fed_app) == 0


async def test_push_follows_the_subscriptions_alerts(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"follow": True, "favourite": False})
    post = await status(fed_client, bob, "rounds at eight")

    await fed_client.post(f"/api/v1/statuses/{post['id']}/favourite", headers=alice.headers)
    await fed_client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await status(fed_client, alice, "@bob hello")  # mention: not among the alerts
    await push_all(fed_app)

    assert [r.payload["notification_type"] for r in receiver.received] == ["follow"]
    assert receiver.received[0].payload["title"].endswith("is now following you")


@pytest.mark.parametrize("policy,pushed", [("all", {"alice", "carol"}), ("followed", {"alice"}),
                                           ("follower", {"carol"}), ("none", set())])
async def test_push_follows_the_subscriptions_policy(fed_app, fed_client, receiver, policy, pushed):
    alice, carol = await member(fed_app, "alice"), await member(fed_app, "carol")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await fed_client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)  # bob follows alice
    await fed_client.post(f"/api/v1/accounts/{bob.id}/follow", headers=carol.headers)  # carol follows bob
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True}, **{"data[policy]": policy})

    await status(fed_client, alice, "@bob from alice")
    await status(fed_client, carol, "@bob from carol")
    await push_all(fed_app)

    assert {r.payload["body"].rsplit(" ", 1)[-1] for r in receiver.received} == pushed
    assert receiver.refused == []


@pytest.mark.parametrize("gone", [404, 410])
async def test_push_404_or_410_drops_the_subscription(fed_app, fed_client, receiver, gone):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    phone = receiver.subscriber("bob")
    await subscribe(fed_client, bob, phone, alerts={"mention": True})
    receiver.answers["/push/bob"] = [gone]

    await status(fed_client, alice, "@bob one")
    await status(fed_client, alice, "@bob two")
    await push_all(fed_app, PushRunner(concurrency=1, batch=1))

    assert receiver.received == [] and len(receiver.server.requests) == 1  # the second was dropped with it
    assert (await fed_client.get(PATH, headers=bob.headers)).status_code == 404
    assert await queued(fed_app) == 0
    await status(fed_client, alice, "@bob three")
    assert await queued(fed_app) == 0


async def test_push_is_retried_with_backoff_on_429_and_5xx(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True})
    receiver.answers["/push/bob"] = [503, 429]
    await status(fed_client, alice, "@bob are you there")

    assert await push_all(fed_app) == 1  # 503: not due again yet
    async with fed_app.state.sessions() as session:
        row = (await session.execute(select(PushDelivery))).scalar_one()
    assert row.attempts == 1 and row.last_error == "HTTP 503"
    assert row.next_try_at > utcnow() + timedelta(seconds=10)  # backoff(1) is 16 s at least

    later = PushRunner(clock=lambda: utcnow() + timedelta(hours=1))
    assert await push_all(fed_app, later) == 1  # 429
    assert await push_all(fed_app, PushRunner(clock=lambda: utcnow() + timedelta(hours=2))) == 1
    assert [r.payload["body"] for r in receiver.received] == ["@bob are you there"]
    assert await queued(fed_app) == 0 and (await fed_client.get(PATH, headers=bob.headers)).status_code == 200


async def test_push_gives_up_after_its_last_try_and_keeps_the_subscription(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True})
    receiver.answers["/push/bob"] = [500] * MAX_ATTEMPTS
    await status(fed_client, alice, "@bob hello")
    for hours in range(MAX_ATTEMPTS):
        assert await push_all(fed_app, PushRunner(clock=lambda h=hours: utcnow() + timedelta(hours=h))) == 1
    assert await queued(fed_app) == 0 and receiver.received == []
    assert len(receiver.server.requests) == MAX_ATTEMPTS
    assert (await fed_client.get(PATH, headers=bob.headers)).status_code == 200


async def test_push_stops_when_the_token_is_revoked(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True})
    await status(fed_client, alice, "@bob queued before")
    async with fed_app.state.sessions() as session:
        subscription = (await session.execute(select(PushSubscription))).scalar_one()
        await revoke_tokens(session, OAuthToken.id == subscription.token_id)
        await session.commit()
    await status(fed_client, alice, "@bob after")
    assert await push_all(fed_app) == 0 and receiver.received == []


async def test_push_of_a_muted_sender_is_not_sent(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True})
    await status(fed_client, alice, "@bob before the mute")
    await fed_client.post(f"/api/v1/accounts/{alice.id}/mute", headers=bob.headers)
    assert await push_all(fed_app) == 1
    assert receiver.received == [] and len(receiver.server.requests) == 0 and await queued(fed_app) == 0


async def test_push_to_a_private_address_is_refused_by_the_guard(fed_settings, receiver):
    guarded = dataclasses.replace(fed_settings, allow_private_addresses=False)
    async with running_app(guarded) as app, client_of(app) as client:
        alice = await member(app, "alice")
        bob = await member(app, "bob", scopes=PUSH_SCOPES)
        await subscribe(client, bob, receiver.subscriber("bob"), alerts={"mention": True})
        await status(client, alice, "@bob hello")
        assert await push_all(app) == 1
        assert receiver.server.connections == 0 and await queued(app) == 0


async def test_push_tells_the_author_her_poll_has_ended(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice", scopes=PUSH_SCOPES, display_name="Alice")
    await subscribe(fed_client, alice, receiver.subscriber("alice"), alerts={"poll": True})
    post = await status(fed_client, alice, "Which anticoagulant?", poll={"options": ["A", "B"], "expires_in": 300})
    async with fed_app.state.sessions() as session:
        await session.execute(update(PollDeadline).where(PollDeadline.post_id == int(post["id"]))
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
        assert await poll_closing.close_due(fed_app.state.runtime, session) == 1
        await session.commit()
    await push_all(fed_app)
    assert [(r.payload["notification_type"], r.payload["title"], r.payload["body"]) for r in receiver.received] == [
        ("poll", "A poll by Alice has ended", "Which anticoagulant?")]


async def test_push_is_not_queued_for_a_disabled_member(fed_app, fed_client, receiver):
    alice = await member(fed_app, "alice")
    bob = await member(fed_app, "bob", scopes=PUSH_SCOPES)
    await subscribe(fed_client, bob, receiver.subscriber("bob"), alerts={"mention": True})
    async with fed_app.state.sessions() as session:
        await session.execute(update(Account).where(Account.actor_id == bob.id).values(disabled_at=utcnow()))
        await session.commit()
    await status(fed_client, alice, "@bob are you still here")
    assert await queued(fed_app) == 0
