"""The patient-privacy guard's `hold` policy: a post with findings is stored but seen by its author alone,
never federated, and waits in the moderators' queue; approving publishes it as any post is (timelines,
streams, delivery), rejecting deletes it and tells the author why; edits, poll options and image
descriptions are held too; every decision is in the audit log; the policy can be changed at run time."""
import dataclasses
import json

import httpx
import pytest
from sqlalchemy import select

from server.app import create_app
from server.db.models import AuditEntry, Delivery, HeldPost, Notification, Post, StreamEvent
from server.services.instance.settings import set_phi_policy
from tests.support import factories
from tests.support.api import media_ready
from tests.support.images import plain
from tests.support.members import member, open_to_visitors

PHI = "Pt John Smith, DOB 03/14/1961, MRN 4482913"
STAFF_SCOPES = "read write admin:read admin:write"
QUEUE = "/api/v1/curbside/admin/held_statuses"


@pytest.fixture
async def world(app):
    """alice posts; carol (local) and bob (remote) follow her; mod moderates; the policy is `hold`."""
    alice, carol = await member(app, "alice"), await member(app, "carol")
    mod = await member(app, "mod", role="moderator", scopes=STAFF_SCOPES)
    async with app.state.sessions() as session:
        bob = await factories.remote_actor(session, "bob", "remote.example")
        await factories.follow(session, bob, alice.actor)
        await factories.follow(session, carol.actor, alice.actor)
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    return {"alice": alice.actor, "a": alice.headers, "c": carol.headers, "mod": mod.headers, "bob": bob}


async def deliveries(app) -> list[dict]:
    async with app.state.sessions() as session:
        return [json.loads(d.body) | {"_inbox": d.inbox}
                for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]


async def audit(app) -> list[AuditEntry]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


async def post(client, headers, **body) -> dict:
    response = await client.post("/api/v1/statuses", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_held_status_is_answered_as_a_status_and_seen_by_its_author_alone(app, client, world):
    await open_to_visitors(app)
    held = await post(client, world["a"], status=f"@carol {PHI}", visibility="direct")
    assert held["visibility"] == "direct" and held["curbside"]["held"] is True
    assert {"name", "date", "record_number"} <= {f["kind"] for f in held["curbside"]["phi_findings"]}
    path = f"/api/v1/statuses/{held['id']}"
    assert (await client.get(path, headers=world["a"])).json()["curbside"]["held"] is True
    assert (await client.get(path, headers=world["c"])).status_code == 404
    assert (await client.get(path)).status_code == 404
    assert [s["id"] for s in (await client.get("/api/v1/timelines/home", headers=world["a"])).json()] == [held["id"]]
    assert (await client.get("/api/v1/timelines/home", headers=world["c"])).json() == []
    assert (await client.get("/api/v1/timelines/public")).json() == []
    account_statuses = f"/api/v1/accounts/{world['alice'].id}/statuses"
    assert (await client.get(account_statuses, headers=world["c"])).json() == []
    assert (await client.get("/api/v1/notifications", headers=world["c"])).json() == []
    ap = await client.get(held["uri"].removeprefix(app.state.settings.base_url),
                          headers={"accept": "application/activity+json"})
    assert ap.status_code in (401, 404)
    assert await deliveries(app) == []
    reply = await client.post("/api/v1/statuses", json={"status": "ok", "in_reply_to_id": held["id"]},
                              headers=world["c"])
    assert reply.status_code == 422
    boost = await client.post(f"{path}/reblog", headers=world["a"])
    assert boost.status_code == 422 and await deliveries(app) == []


async def test_held_post_approved_is_published_like_any_post(app, client, world):
    held = await post(client, world["a"], status=PHI)
    assert (await client.get(QUEUE, headers=world["c"])).status_code == 403
    [item] = (await client.get(QUEUE, headers=world["mod"])).json()
    assert item["kind"] == "post" and item["status"]["id"] == held["id"] and "John Smith" in item["status"]["content"]
    assert item["account"]["username"] == "alice" and item["phi_findings"]
    async with app.state.sessions() as session:
        streamed_before = len((await session.execute(select(StreamEvent))).scalars().all())
    approved = await client.post(f"{QUEUE}/{item['id']}/approve", headers=world["mod"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["visibility"] == "public" and "curbside" not in approved.json()
    [create] = await deliveries(app)
    assert create["type"] == "Create" and create["object"]["id"] == held["uri"]
    assert create["_inbox"] == world["bob"].shared_inbox
    assert [s["id"] for s in (await client.get("/api/v1/timelines/home", headers=world["c"])).json()] == [held["id"]]
    assert (await client.get(f"/api/v1/statuses/{held['id']}")).status_code == 200
    async with app.state.sessions() as session:
        events = (await session.execute(select(StreamEvent).order_by(StreamEvent.id))).scalars().all()
    assert any(e.kind == "update" and e.data["post_id"] == int(held["id"]) for e in events[streamed_before:])
    entry = (await audit(app))[-1]
    assert (entry.action, entry.actor_name, entry.target) == ("held.approve", "mod@curbside.test", held["uri"])
    assert entry.details["findings"]["record_number"] == 1 and "4482913" not in json.dumps(entry.details)
    assert (await client.get(QUEUE, headers=world["mod"])).json() == []
    again = await client.post(f"{QUEUE}/{item['id']}/approve", headers=world["mod"])
    assert again.status_code == 404


async def test_held_post_rejected_is_deleted_and_its_author_told_why(app, client, world):
    held = await post(client, world["a"], status=PHI)
    [item] = (await client.get(QUEUE, headers=world["mod"])).json()
    unexplained = await client.post(f"{QUEUE}/{item['id']}/reject", headers=world["mod"])
    assert unexplained.status_code == 422 and "reason" in unexplained.json()["error"]
    rejected = await client.post(f"{QUEUE}/{item['id']}/reject", json={"reason": "Name and MRN of a patient"},
                                 headers=world["mod"])
    assert rejected.status_code == 200
    async with app.state.sessions() as session:
        assert await session.get(Post, int(held["id"])) is None
        assert (await session.execute(select(HeldPost))).scalars().all() == []
        notices = (await session.execute(select(Notification.type).where(
            Notification.recipient_id == world["alice"].id))).scalars().all()
    assert notices == ["moderation_warning"]
    warnings = (await client.get("/api/v1/moderation_warnings", headers=world["a"])).json()
    assert [(w["action"], w["text"]) for w in warnings] == [("delete_post", "Name and MRN of a patient")]
    assert await deliveries(app) == []
    entry = (await audit(app))[-1]
    assert (entry.action, entry.reason) == ("held.reject", "Name and MRN of a patient")


async def test_held_edit_of_a_published_post_waits_and_the_post_stays_as_it_was(app, client, world):
    published = await post(client, world["a"], status="Interesting ECG today")
    path = f"/api/v1/statuses/{published['id']}"
    edited = await client.put(path, json={"status": PHI}, headers=world["a"])
    assert edited.status_code == 200 and edited.json()["curbside"]["pending_edit"] is True
    assert "Interesting ECG" in edited.json()["content"]
    assert "Interesting ECG" in (await client.get(path, headers=world["c"])).json()["content"]
    assert [d["type"] for d in await deliveries(app)] == ["Create"]
    [item] = (await client.get(QUEUE, headers=world["mod"])).json()
    assert item["kind"] == "edit" and item["edit"]["text"] == PHI
    assert (await client.post(f"{QUEUE}/{item['id']}/approve", headers=world["mod"])).status_code == 200
    assert "John Smith" in (await client.get(path, headers=world["c"])).json()["content"]
    assert [d["type"] for d in await deliveries(app)] == ["Create", "Update"]


async def test_held_covers_poll_options_image_descriptions_and_edits_of_held_posts(app, client, world):
    poll = await post(client, world["a"], status="Which plan?",
                      poll={"options": ["wait", "call Mrs. Garcia at 555-867-5309"], "expires_in": 3600})
    assert poll["curbside"]["held"] is True and {f["field"] for f in poll["curbside"]["phi_findings"]} == {3}
    upload = await client.post("/api/v2/media", files={"file": ("x.png", plain(), "image/png")},
                               data={"description": "wristband: John Smith MRN 4482913"}, headers=world["a"])
    uploaded = await media_ready(client, world["a"], upload)
    assert "wristbands" in uploaded["curbside"]["reminder"]
    pictured = await post(client, world["a"], status="Rash, day 3", media_ids=[uploaded["id"]])
    assert pictured["curbside"]["held"] is True
    cleaned = await client.put(f"/api/v1/statuses/{pictured['id']}", json={"status": "Rash, day 4"},
                               headers=world["a"])
    assert cleaned.json()["curbside"]["held"] is True and "day 4" in cleaned.json()["content"]
    assert await deliveries(app) == []
    assert len((await client.get(QUEUE, headers=world["mod"])).json()) == 2


async def test_held_policy_set_at_run_time_overrides_the_environment_and_is_audited(settings):
    app = create_app(dataclasses.replace(settings, phi_policy="hold"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
            admin = (await member(app, "boss", role="admin", scopes=STAFF_SCOPES)).headers
            dana = (await member(app, "dana")).headers
            assert (await post(client, dana, status=PHI))["curbside"]["held"] is True
            settings_path = "/api/v1/curbside/admin/settings"
            assert (await client.get(settings_path, headers=admin)).json()["phi_policy"] == "hold"
            wrong = await client.patch(settings_path, json={"phi_policy": "lenient"}, headers=admin)
            assert wrong.status_code == 422
            changed = await client.patch(settings_path, json={"phi_policy": "warn"}, headers=admin)
            assert changed.json()["phi_policy"] == "warn"
            refused = await client.post("/api/v1/statuses", json={"status": PHI}, headers=dana)
            assert refused.status_code == 422 and refused.json()["phi_action"] == "confirm"
            entry = [e for e in await audit(app) if e.action.startswith("settings.")][-1]
            assert (entry.action, entry.actor_name, entry.details) == \
                ("settings.phi_policy", "boss@curbside.test", {"before": None, "after": "warn"})


async def test_held_cli_lists_approves_and_rejects(app, client, world, settings, tmp_path):
    from tests.test_moderation_cli import curbside, ok, refused

    def held(*args: str):
        return curbside(tmp_path / "cli", "held", *args, database_url=settings.database_url)

    first = await post(client, world["a"], status=PHI)
    second = await post(client, world["a"], status=f"{PHI}, again")
    lines = [line.split("\t") for line in ok(held("list")).splitlines()]
    assert [(cols[1], cols[3], "record_number" in cols[5]) for cols in lines] == \
        [("post", "alice@curbside.test", True)] * 2
    ok(held("approve", lines[0][0]))
    assert "reason" in refused(held("reject", lines[1][0], "--reason", " "))
    ok(held("reject", lines[1][0], "--reason", "identifiable"))
    assert "no held posts" in ok(held("list"))
    assert (await client.get(f"/api/v1/statuses/{first['id']}", headers=world["c"])).status_code == 200
    assert (await client.get(f"/api/v1/statuses/{second['id']}", headers=world["a"])).status_code == 404
    assert [(e.action, e.actor_name) for e in (await audit(app))[-2:]] == [("held.approve", "cli"),
                                                                         ("held.reject", "cli")]
