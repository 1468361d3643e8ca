"""Confirming a flagged post from any Mastodon app: under the warn policy the 422 names what was found and
says that sending the same post again within 10 minutes confirms it; the second identical submission (same
author, texts and attachments) is posted and recorded as confirmed, in the post's row and the audit log."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.db.models import AuditEntry, Post
from server.db.types import utcnow
from server.services.instance.settings import set_phi_policy
from tests.support.members import bearer, member

PHI = "Saw Mrs. Okafor in clinic today, 58F with refractory HTN on 4 agents."


@pytest.fixture
async def alice(app):
    token = (await member(app, "alice")).token
    return bearer(token)


async def send(client, headers, text: str, **body):
    return await client.post("/api/v1/statuses", json={"status": text, **body}, headers=headers)


async def audit_actions(app) -> list[tuple[str, dict]]:
    async with app.state.sessions() as session:
        entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(e.action, e.details) for e in entries]


async def test_phi_resend_error_names_the_finding_and_how_to_confirm(client, alice):
    first = await send(client, alice, PHI)
    assert first.status_code == 422
    error = first.json()["error"]
    assert 'name "Okafor"' in error and "send the same post again within 10 minutes" in error


async def test_phi_resend_the_same_post_again_is_posted_and_recorded_as_confirmed(app, client, alice):
    assert (await send(client, alice, PHI)).status_code == 422
    second = await send(client, alice, PHI)
    assert second.status_code == 200, second.text
    async with app.state.sessions() as session:
        post = await session.get(Post, int(second.json()["id"]))
        assert post.phi_confirmed is True
    actions = await audit_actions(app)
    assert [a for a, _ in actions if a.startswith("phi.")] == ["phi.warned", "phi.confirmed"]
    assert actions[-1][1] == {"kinds": ["name"], "how": "sent again"}


async def test_phi_resend_a_different_post_or_author_is_asked_again(app, client, alice):
    bob_token = (await member(app, "bob")).token
    assert (await send(client, alice, PHI)).status_code == 422
    assert (await send(client, alice, PHI + " Thoughts?")).status_code == 422
    assert (await send(client, alice, PHI, spoiler_text="HTN")).status_code == 422
    assert (await send(client, bearer(bob_token), PHI)).status_code == 422


async def test_phi_resend_after_ten_minutes_is_asked_again(app, client, alice):
    assert (await send(client, alice, PHI)).status_code == 422
    async with app.state.sessions() as session:
        await session.execute(update(AuditEntry).values(created_at=utcnow() - timedelta(minutes=11)))
        await session.commit()
    assert (await send(client, alice, PHI)).status_code == 422
    assert (await send(client, alice, PHI)).status_code == 200


async def test_phi_resend_never_lifts_the_block_policy(app, client, alice):
    async with app.state.sessions() as session:
        await set_phi_policy(session, "block", by="test")
        await session.commit()
    for _ in range(2):
        refused = await send(client, alice, PHI)
        assert refused.status_code == 422 and "again" not in refused.json()["error"]


async def test_phi_resend_an_explicit_confirmation_is_recorded_too(app, client, alice):
    posted = await send(client, alice, PHI, phi_confirmed=True)
    assert posted.status_code == 200
    assert (await audit_actions(app))[-1] == ("phi.confirmed", {"kinds": ["name"], "how": "phi_confirmed"})


async def test_phi_resend_an_edit_is_confirmed_the_same_way(app, client, alice):
    clean = (await send(client, alice, "Refractory HTN on 4 agents: next step?")).json()
    path = f"/api/v1/statuses/{clean['id']}"
    assert (await client.put(path, json={"status": PHI}, headers=alice)).status_code == 422
    edited = await client.put(path, json={"status": PHI}, headers=alice)
    assert edited.status_code == 200, edited.text
    async with app.state.sessions() as session:
        assert (await session.get(Post, int(clean["id"]))).phi_confirmed is True
