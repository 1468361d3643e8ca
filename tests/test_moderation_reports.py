"""Reports: filing (and forwarding as an anonymous Flag), the admin API's access rules, moderator
actions with the member's notice and one appeal, and the audit log they all write."""
import json

import pytest
from sqlalchemy import select

from server.db.models import AccountModeration, AuditEntry, Delivery, Notification, Post, Report
from tests.support import factories
from tests.support.members import bearer, member

ADMIN_SCOPES = "read write admin:read admin:write"


@pytest.fixture
async def people(app):
    alice, mod = await member(app, "alice"), await member(app, "mod", role="moderator", scopes=ADMIN_SCOPES)
    async with app.state.sessions() as session:
        bob = await factories.remote_actor(session, "bob", "remote.example")
        bobs = Post(id=5, uri="https://remote.example/users/bob/statuses/5", author_id=bob.id, author=bob,
                    local=False, visibility="public", content_html="<p>patient Jane Doe, MRN 12345678</p>")
        session.add(bobs)
        await session.commit()
    return {"alice": alice.actor, "alice_token": alice.token, "mod": mod.actor, "mod_token": mod.token, "bob": bob,
            "bobs_post": bobs.id}


async def _report(client, people, **fields):
    body = {"account_id": str(people["bob"].id), "status_ids": [str(people["bobs_post"])],
            "comment": "identifies a patient", "category": "patient_privacy", "forward": True, **fields}
    return await client.post("/api/v1/reports", json=body, headers=bearer(people["alice_token"]))


async def test_report_is_stored_and_forwarded_as_a_flag_that_does_not_name_the_reporter(app, client, people):
    response = await _report(client, people, rule_ids=["2"])
    assert response.status_code == 200, response.text
    entity = response.json()
    assert (entity["category"], entity["curbside_category"], entity["forwarded"]) == \
        ("violation", "patient_privacy", True)
    assert entity["status_ids"] == [str(people["bobs_post"])] and entity["rule_ids"] == ["2"]
    async with app.state.sessions() as session:
        delivery = (await session.execute(select(Delivery))).scalar_one()
        report = (await session.execute(select(Report))).scalar_one()
    flag = json.loads(delivery.body)
    assert flag["type"] == "Flag" and flag["actor"] == app.state.urls.instance_actor
    assert flag["object"] == [people["bob"].uri, "https://remote.example/users/bob/statuses/5"]
    assert flag["content"] == "identifies a patient" and delivery.inbox == people["bob"].shared_inbox
    assert "alice" not in delivery.body
    assert report.reporter_id == people["alice"].id and report.category == "patient_privacy"


async def test_report_refuses_bad_input_with_422(client, people, app):
    async with app.state.sessions() as session:
        other = await factories.post(session, app.state.urls, await session.merge(people["alice"]))
        await session.commit()
    for fields, expected in (({"category": "rudeness"}, "category must be one of"),
                             ({"status_ids": [str(other.id)]}, "not a post of the reported account"),
                             ({"account_id": str(people["alice"].id), "status_ids": []}, "yourself")):
        response = await _report(client, people, **fields)
        assert response.status_code == 422 and expected in response.json()["error"]


async def test_reports_need_a_token_with_write_reports(app, client, people):
    reader = (await member(app, "reader", scopes="read")).token
    assert (await client.post("/api/v1/reports", json={"account_id": "1"})).status_code == 401
    response = await client.post("/api/v1/reports", json={"account_id": "1"}, headers=bearer(reader))
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/admin/reports", "/api/v1/admin/domain_blocks",
                                  "/api/v1/admin/domain_allows"])
async def test_admin_api_needs_the_admin_scope_and_a_staff_role(app, client, people, path):
    member_with_scope = (await member(app, "pretender", scopes=ADMIN_SCOPES)).token
    mod_without_scope = (await member(app, "mod2", role="moderator", scopes="read write")).token
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=bearer(mod_without_scope))).status_code == 403
    assert (await client.get(path, headers=bearer(member_with_scope))).status_code == 403
    assert (await client.get(path, headers=bearer(people["mod_token"]))).status_code == 200
    created = await client.post(path.replace("reports", "domain_blocks"), json={"domain": "x.example"},
                                headers=bearer(member_with_scope))
    assert created.status_code == 403


async def test_moderator_deletes_a_remote_post_and_suspends_its_author_in_the_audit_log(app, client, people):
    await _report(client, people)
    mod = bearer(people["mod_token"])
    listed = (await client.get("/api/v1/admin/reports", params={"resolved": "false"}, headers=mod)).json()
    assert [r["target_account"]["username"] for r in listed] == ["bob"]
    assert listed[0]["account"]["username"] == "alice" and listed[0]["curbside_category"] == "patient_privacy"
    report_id = listed[0]["id"]
    done = await client.post(f"/api/v1/admin/reports/{report_id}/action", json={"type": "delete_post", "text": "PHI"},
                             headers=mod)
    assert done.status_code == 200 and done.json()["action_taken"] is True and done.json()["action"] == "delete_post"
    bob_id = people["bob"].id
    assert (await client.post(f"/api/v1/admin/accounts/{bob_id}/action", json={"type": "suspend"},
                              headers=mod)).status_code == 200
    async with app.state.sessions() as session:
        assert await session.get(Post, people["bobs_post"]) is None
        assert (await session.get(AccountModeration, bob_id)).suspended_at is not None
    log = (await client.get("/api/v1/admin/audit_log", headers=mod)).json()
    assert [e["action"] for e in log][:2] == ["account.suspend", "report.delete_post"]
    assert log[1]["actor"] == f"mod@{app.state.settings.domain}" and log[1]["reason"] == "PHI"


async def test_local_post_deleted_by_a_moderator_is_federated_and_the_member_may_appeal_once(app, client, people):
    alice, mod = people["alice"], bearer(people["mod_token"])
    async with app.state.sessions() as session:
        post = await factories.post(session, app.state.urls, await session.merge(alice))
        await factories.follow(session, people["bob"], alice)
        await session.commit()
    carol = (await member(app, "carol")).token
    report = await client.post("/api/v1/reports", headers=bearer(carol),
                               json={"account_id": str(alice.id), "status_ids": [str(post.id)], "category": "spam"})
    report_id = report.json()["id"]
    await client.post(f"/api/v1/admin/reports/{report_id}/action", json={"type": "delete_post"}, headers=mod)
    async with app.state.sessions() as session:
        sent = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]
        notices = list((await session.execute(select(Notification).where(
            Notification.recipient_id == alice.id))).scalars())
    assert [(a["type"], a["object"]["id"]) for a in sent] == [("Delete", post.uri)]
    assert [n.type for n in notices] == ["moderation_warning"]
    mine = bearer(people["alice_token"])
    warnings = (await client.get("/api/v1/moderation_warnings", headers=mine)).json()
    assert [(w["action"], w["appeal"]) for w in warnings] == [("delete_post", None)]
    path = f"/api/v1/moderation_warnings/{warnings[0]['id']}/appeal"
    assert (await client.post(path, json={"text": "It was a textbook case"}, headers=mine)).status_code == 200
    again = await client.post(path, json={"text": "Please"}, headers=mine)
    assert again.status_code == 422 and "one appeal" in again.json()["error"]


async def test_approved_appeal_lifts_a_suspension_and_the_member_can_appeal_while_suspended(app, client, people):
    alice, mod, mine = people["alice"], bearer(people["mod_token"]), bearer(people["alice_token"])
    await client.post(f"/api/v1/admin/accounts/{alice.id}/action", json={"type": "suspend"}, headers=mod)
    assert (await client.get("/api/v1/timelines/home", headers=mine)).status_code == 401
    warning = (await client.get("/api/v1/moderation_warnings", headers=mine)).json()[0]
    await client.post(f"/api/v1/moderation_warnings/{warning['id']}/appeal", json={"text": "Mistaken identity"},
                      headers=mine)
    decided = await client.post(f"/api/v1/admin/appeals/{warning['id']}/approve", headers=mod)
    assert decided.json()["appeal"]["state"] == "approved"
    assert (await client.get("/api/v1/timelines/home", headers=mine)).status_code == 200
    async with app.state.sessions() as session:
        actions = (await session.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars().all()
    assert actions == ["account.suspend", "warning.appeal", "warning.appeal_approved"]


async def test_report_assignment_dismissal_and_reopening(app, client, people):
    await _report(client, people, forward=False)
    mod = bearer(people["mod_token"])
    report_id = (await client.get("/api/v1/admin/reports", headers=mod)).json()[0]["id"]
    assigned = (await client.post(f"/api/v1/admin/reports/{report_id}/assign_to_self", headers=mod)).json()
    assert assigned["assigned_account"]["username"] == "mod" and assigned["forwarded"] is False
    resolved = (await client.post(f"/api/v1/admin/reports/{report_id}/resolve", headers=mod)).json()
    assert resolved["action_taken"] is True and resolved["action"] == "dismiss"
    assert (await client.get("/api/v1/admin/reports", params={"resolved": "false"}, headers=mod)).json() == []
    reopened = (await client.post(f"/api/v1/admin/reports/{report_id}/reopen", headers=mod)).json()
    assert reopened["action_taken"] is False
