"""Joining a group hosted here: a remote Follow answered with Accept or Reject by the group's join policy,
signed by the group; local members join and leave through the API."""
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from federation import activities
from moderation.domains import Severity
from server.db.models import Account, Actor, Delivery, Follow, RemoteAttestation
from server.db.types import utcnow
from server.services.groups import registry
from server.services.groups.registry import GroupFields, NewGroup
from server.services.instance.settings import trust_verifier
from server.services.verification import workflow
from tests.support.fake_remote import deliver, drain
from tests.support.members import ALL_SCOPES, member
from tests.support.moderation import host_of, set_policy

GROUPS = "/api/v1/curbside/groups"


async def make_group(app, join="open", **fields):
    async with app.state.sessions() as session:
        new = NewGroup("heart", GroupFields(title="Heart", join=join, **fields))
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain, new, by="test")
        await session.commit()
        return group.actor


async def rows(app, model):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model))).scalars())


async def ask_to_join(app, client, remote_actor, group, path="/inbox"):
    follow = activities.follow(f"{remote_actor.uri}/follows/1", remote_actor.uri, group.uri)
    assert (await deliver(client, remote_actor, follow, path)).status_code == 202
    await drain(app)
    return follow


async def answer(app):
    [delivery] = await rows(app, Delivery)
    return delivery, json.loads(delivery.body)


async def test_open_group_accepts_a_remote_follow_signed_by_the_group(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice = remote.actor("alice")
    follow = await ask_to_join(fed_app, fed_client, alice, group, path="/groups/heart/inbox")
    [row] = await rows(fed_app, Follow)
    assert (row.followed_id, row.state) == (group.id, "accepted")
    delivery, accept = await answer(fed_app)
    assert (accept["type"], accept["actor"], accept["object"]["id"]) == ("Accept", group.uri, follow["id"])
    assert delivery.signer_id == group.id and delivery.inbox == f"{alice.uri}/inbox"


@pytest.mark.parametrize("join, members_only", [("members", False), ("open", True), ("verified", False)])
async def test_group_rejects_remote_follows_its_policy_refuses(fed_app, fed_client, remote, join, members_only,
                                                               caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app, join=join, members_only=members_only)
    await ask_to_join(fed_app, fed_client, remote.actor("alice"), group)
    assert await rows(fed_app, Follow) == []
    assert (await answer(fed_app))[1]["type"] == "Reject"
    assert any("rejected" in r.getMessage() and "heart" in r.getMessage() for r in caplog.records)


async def test_approval_group_keeps_a_remote_follow_pending(fed_app, fed_client, remote):
    group = await make_group(fed_app, join="approval")
    await ask_to_join(fed_app, fed_client, remote.actor("alice"), group)
    assert [f.state for f in await rows(fed_app, Follow)] == ["pending"]
    assert await rows(fed_app, Delivery) == []


async def attested(app, remote_actor, issuer_domain: str) -> None:
    """`remote_actor` known here, carrying a valid attestation issued by `issuer_domain`."""
    now = utcnow()
    async with app.state.sessions() as session:
        actor = Actor(uri=remote_actor.uri, local=False, username=remote_actor.username, domain="127.0.0.1",
                      inbox=f"{remote_actor.uri}/inbox", public_key_id=remote_actor.key_id,
                      public_key_pem=remote_actor.public_pem, fetched_at=now)
        session.add(actor)
        await session.flush()
        session.add(RemoteAttestation(actor_id=actor.id, state="valid", issuer=f"https://{issuer_domain}/actor",
                                      issuer_domain=issuer_domain, profession="physician",
                                      valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30)))
        await trust_verifier(session, "society-a.example", by="test")
        await session.commit()


@pytest.mark.parametrize("issuer, accepted", [("society-a.example", True), ("untrusted.example", False)])
async def test_verified_group_takes_remote_actors_attested_by_a_trusted_verifier(fed_app, fed_client, remote,
                                                                                 issuer, accepted):
    group = await make_group(fed_app, join="verified")
    alice = remote.actor("alice")
    await attested(fed_app, alice, issuer)
    await ask_to_join(fed_app, fed_client, alice, group)
    assert [f.state for f in await rows(fed_app, Follow)] == (["accepted"] if accepted else [])
    assert (await answer(fed_app))[1]["type"] == ("Accept" if accepted else "Reject")


async def test_api_member_joins_and_leaves_an_open_group(fed_app, fed_client):
    group = await make_group(fed_app)
    headers = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    joined = await fed_client.post(f"{GROUPS}/{group.id}/join", headers=headers)
    assert joined.json() == {"id": str(group.id), "state": "accepted"}
    assert [f.state for f in await rows(fed_app, Follow)] == ["accepted"]
    assert await rows(fed_app, Delivery) == []  # nothing leaves the instance for a local join
    assert (await fed_client.post(f"{GROUPS}/{group.id}/leave", headers=headers)).json()["state"] == "none"
    assert await rows(fed_app, Follow) == []


async def test_api_verified_group_refuses_an_unverified_member_then_takes_them_verified(fed_app, fed_client):
    group = await make_group(fed_app, join="verified")
    headers = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    refused = await fed_client.post(f"{GROUPS}/{group.id}/join", headers=headers)
    assert refused.status_code == 403 and "not verified here" in refused.json()["error"]
    async with fed_app.state.sessions() as session:
        carol = (await session.execute(select(Account).join(Actor).where(Actor.username == "carol"))).scalar_one()
        await workflow.grant(session, fed_app.state.settings, carol, None, profession="physician",
                             specialty="207RC0000X", jurisdiction="US-MA", mail=[])
        await session.commit()
    assert (await fed_client.post(f"{GROUPS}/{group.id}/join", headers=headers)).json()["state"] == "accepted"


async def test_api_approval_group_join_is_pending(fed_app, fed_client):
    group = await make_group(fed_app, join="approval")
    carol = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    joined = await fed_client.post(f"{GROUPS}/{group.id}/join", headers=carol)
    assert joined.json()["state"] == "pending"


async def test_api_join_of_something_not_a_group_is_404(fed_app, fed_client):
    headers = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    dora = (await member(fed_app, "dora")).actor
    assert (await fed_client.post(f"{GROUPS}/{dora.id}/join", headers=headers)).status_code == 404
    assert (await fed_client.post(f"{GROUPS}/1/join")).status_code == 401


async def test_open_group_keeps_a_follow_from_a_limited_domain_pending(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    await set_policy(fed_app, host_of(remote), Severity.LIMIT)
    await ask_to_join(fed_app, fed_client, remote.actor("alice"), group)
    assert [f.state for f in await rows(fed_app, Follow)] == ["pending"]
    assert await rows(fed_app, Delivery) == []


async def test_suspended_domain_cannot_join(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    await set_policy(fed_app, host_of(remote), Severity.SUSPEND)
    alice = remote.actor("alice")
    follow = activities.follow(f"{alice.uri}/follows/1", alice.uri, group.uri)
    assert (await deliver(fed_client, alice, follow, "/groups/heart/inbox")).status_code == 403
    await drain(fed_app)
    assert await rows(fed_app, Follow) == []


async def test_moderator_approves_a_remote_request_and_the_group_accepts(fed_app, fed_client, remote):
    group = await make_group(fed_app, join="approval")
    alice = remote.actor("alice")
    follow = await ask_to_join(fed_app, fed_client, alice, group)
    moderator = (await member(fed_app, "mod", scopes=ALL_SCOPES)).headers
    other = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    async with fed_app.state.sessions() as session:
        await registry.add_moderator(session, "curbside.test", await registry.group_by_id(session, group.id), "mod",
                                     by="test")
        await session.commit()
    assert (await fed_client.get(f"{GROUPS}/{group.id}/requests", headers=other)).status_code == 403
    [waiting] = (await fed_client.get(f"{GROUPS}/{group.id}/requests", headers=moderator)).json()
    assert waiting["url"] == alice.uri
    done = await fed_client.post(f"{GROUPS}/{group.id}/requests/{waiting['id']}/authorize", headers=moderator)
    assert done.json()["state"] == "accepted"
    assert [f.state for f in await rows(fed_app, Follow)] == ["accepted"]
    delivery, accept = await answer(fed_app)
    assert (accept["type"], accept["actor"], accept["object"]["id"]) == ("Accept", group.uri, follow["id"])
    assert delivery.signer_id == group.id
    again = await fed_client.post(f"{GROUPS}/{group.id}/requests/{waiting['id']}/reject", headers=moderator)
    assert again.status_code == 404


async def test_moderator_rejects_a_local_request(fed_app, fed_client):
    group = await make_group(fed_app, join="approval")
    carol = (await member(fed_app, "carol", scopes=ALL_SCOPES)).headers
    await fed_client.post(f"{GROUPS}/{group.id}/join", headers=carol)
    root = (await member(fed_app, "root", role="admin", scopes=ALL_SCOPES)).headers
    [waiting] = (await fed_client.get(f"{GROUPS}/{group.id}/requests", headers=root)).json()
    assert waiting["acct"] == "carol"
    await fed_client.post(f"{GROUPS}/{group.id}/requests/{waiting['id']}/reject", headers=root)
    assert await rows(fed_app, Follow) == [] and await rows(fed_app, Delivery) == []
