"""Who may act on whom and decide what (moderation.roles), on every surface: the client admin API, the web
admin pages and the `curbside` command. A moderator acts on members only, an admin on anyone but
themselves, nobody removes the last admin, and nobody decides a matter of their own."""
import asyncio

import pytest
from sqlalchemy import func, select

from moderation.errors import ServiceError
from moderation.roles import SYSTEM, Acting, action_refusal, decision_refusal, role_refusal
from server.db.ids import snowflake
from server.db.models import Account, AccountModeration, AccountWarning, Actor, HeldPost, Report, VerificationRequest
from server.services.accounts import member_admin
from server.services.instance.settings import set_phi_policy
from tests.support.members import ALL_SCOPES, Member, member
from tests.support.web import log_in
from tests.test_moderation_cli import curbside, ok, refused
from tests.test_web_admin import post as form_post

ACCOUNT_KINDS = ["none", "sensitive", "disable", "silence", "suspend"]
REPORT_ACTIONS = ["warn", "mark_sensitive", "limit", "suspend", "delete_post"]
ADMIN = "/api/v1/curbside/admin"
PHI = "Pt John Smith, DOB 03/14/1961, MRN 4482913"
CLAIMS = {"profession": "physician", "specialty": "207RC0000X", "credential_type": "npi",
          "credential_number": "1234567893", "jurisdiction": "US-CA"}


# The policy over plain data ---------------------------------------------------------------------------

MOD, ADMIN_1 = Acting(1, "moderator"), Acting(2, "admin")


@pytest.mark.parametrize("by, target_role, removes, others, refused_with", [
    (MOD, "member", True, 0, None), (MOD, None, True, 0, None), (MOD, "moderator", False, 5, "members only"),
    (MOD, "admin", False, 5, "members only"), (ADMIN_1, "moderator", True, 0, None),
    (ADMIN_1, "admin", True, 1, None), (ADMIN_1, "admin", False, 0, None),
    (SYSTEM, "admin", True, 1, None), (SYSTEM, "admin", True, 0, "at least one admin"),
    (SYSTEM, "admin", False, 0, None), (Acting(3, "member"), "member", False, 0, "members only"),
])
def test_roles_action_refusal_by_rank_and_last_admin(by, target_role, removes, others, refused_with):
    reason = action_refusal(by, 99, target_role, removes_admin=removes, other_admins=others)
    assert (reason is None) if refused_with is None else (refused_with in reason)


@pytest.mark.parametrize("by, about_role, refused", [
    (MOD, "member", False), (MOD, None, False), (MOD, "moderator", True), (MOD, "admin", True),
    (ADMIN_1, "admin", False), (ADMIN_1, "moderator", False), (SYSTEM, "admin", False)])
def test_roles_decisions_about_an_account_follow_the_rank_rule(by, about_role, refused):
    reason = decision_refusal(by, (99,), "an appeal", about_role=about_role)
    assert (reason is not None and "members only" in reason) if refused else reason is None


@pytest.mark.parametrize("by", [MOD, ADMIN_1])
def test_roles_nobody_acts_on_or_decides_for_themselves(by):
    assert "your own account" in action_refusal(by, by.actor_id, by.role, removes_admin=False, other_admins=9)
    assert "of your own" in decision_refusal(by, (7, by.actor_id), "a report")
    assert decision_refusal(by, (7, None), "a report") is None and decision_refusal(SYSTEM, (None,), "x") is None


@pytest.mark.parametrize("by, role, allowed", [(MOD, "admin", False), (MOD, "moderator", True),
                                               (ADMIN_1, "admin", True), (SYSTEM, "admin", True)])
def test_roles_nobody_gives_a_role_above_their_own(by, role, allowed):
    assert (role_refusal(by, role) is None) == allowed


# The people and what the tests look at ----------------------------------------------------------------

@pytest.fixture
async def people(app) -> dict[str, Member]:
    """ann (member), mod and mod2 (moderators), root and boss (admins): each with an admin-scoped token."""
    roles = (("ann", "member"), ("mod", "moderator"), ("mod2", "moderator"), ("root", "admin"), ("boss", "admin"))
    return {name: await member(app, name, role=role, scopes=ALL_SCOPES) for name, role in roles}


async def traces(app, person: Member) -> tuple:
    """What an action leaves on an account: a sanction row, a disabled login, notices."""
    async with app.state.sessions() as session:
        sanction = await session.get(AccountModeration, person.id)
        account = (await session.execute(select(Account).where(Account.actor_id == person.id))).scalar_one()
        notices = await session.scalar(select(func.count()).select_from(AccountWarning).where(
            AccountWarning.actor_id == person.id))
    marked = sanction is not None and any((sanction.suspended_at, sanction.limited_at, sanction.sensitized_at))
    return marked, account.disabled_at is not None, notices


async def report(app, reporter: Member, target: Member) -> int:
    async with app.state.sessions() as session:
        row = Report(id=snowflake(), origin="local", reporter_id=reporter.id, target_id=target.id,
                     target_uri=target.actor.uri, category="other")
        session.add(row)
        await session.commit()
        return row.id


async def report_state(app, report_id: int) -> str:
    async with app.state.sessions() as session:
        return (await session.get(Report, report_id)).state


# Rank: the client API ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
@pytest.mark.parametrize("by, target", [("mod", "mod2"), ("mod", "root")])
async def test_roles_api_moderator_cannot_act_on_staff(app, client, people, by, target, kind):
    response = await client.post(f"/api/v1/admin/accounts/{people[target].id}/action", json={"type": kind},
                                 headers=people[by].headers)
    assert response.status_code == 403 and "members only" in response.json()["error"], response.text
    assert await traces(app, people[target]) == (False, False, 0)


@pytest.mark.parametrize("by, target", [("mod", "ann"), ("root", "mod"), ("root", "boss")])
async def test_roles_api_staff_act_on_those_below_them_and_admins_on_admins(app, client, people, by, target):
    response = await client.post(f"/api/v1/admin/accounts/{people[target].id}/action", json={"type": "suspend"},
                                 headers=people[by].headers)
    assert response.status_code == 200, response.text
    assert await traces(app, people[target]) == (True, True, 1)


@pytest.mark.parametrize("who", ["mod", "root"])
async def test_roles_api_nobody_acts_on_their_own_account(app, client, people, who):
    response = await client.post(f"/api/v1/admin/accounts/{people[who].id}/action", json={"type": "silence"},
                                 headers=people[who].headers)
    assert response.status_code == 403 and "your own account" in response.json()["error"]


@pytest.mark.parametrize("action", REPORT_ACTIONS)
async def test_roles_api_report_action_on_staff_is_refused_to_a_moderator(app, client, people, action):
    report_id = await report(app, people["ann"], people["root"])
    response = await client.post(f"/api/v1/admin/reports/{report_id}/action", json={"type": action},
                                 headers=people["mod"].headers)
    assert response.status_code == 403 and "members only" in response.json()["error"]
    assert await report_state(app, report_id) == "open" and await traces(app, people["root"]) == (False, False, 0)
    # Dismissing does nothing to the account: a moderator may close a report about an admin.
    dismissed = await client.post(f"/api/v1/admin/reports/{report_id}/resolve", headers=people["mod"].headers)
    assert dismissed.status_code == 200 and await report_state(app, report_id) == "resolved"


# Rank: the web pages -------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", REPORT_ACTIONS)
@pytest.mark.parametrize("target", ["mod2", "boss"])
async def test_roles_web_moderator_cannot_act_on_staff(app, client, people, target, action):
    report_id = await report(app, people["ann"], people[target])
    assert (await log_in(client, "mod")).status_code == 303
    page = f"/admin/reports/{report_id}"
    refusal = await form_post(client, f"{page}/act", page, action=action)
    assert refusal.status_code == 403 and "members only" in refusal.text
    assert await report_state(app, report_id) == "open" and await traces(app, people[target]) == (False, False, 0)


async def test_roles_web_admin_acts_on_a_moderator_and_disables_another_admin(app, client, people):
    report_id = await report(app, people["ann"], people["mod"])
    assert (await log_in(client, "root")).status_code == 303
    page = f"/admin/reports/{report_id}"
    assert (await form_post(client, f"{page}/act", page, action="limit")).status_code == 303
    assert await traces(app, people["mod"]) == (True, False, 1)
    disabled = await form_post(client, f"/admin/members/{people['boss'].id}/disable", "/admin/members")
    assert disabled.status_code == 303 and (await traces(app, people["boss"]))[1] is True


async def test_roles_web_members_page_refuses_an_admin_changing_themselves_with_the_reason(app, client, people):
    assert (await log_in(client, "root")).status_code == 303
    for path, data in ((f"/admin/members/{people['root'].id}/disable", {}),
                       (f"/admin/members/{people['root'].id}/role", {"role": "moderator"})):
        refusal = await form_post(client, path, "/admin/members", **data)
        assert refusal.status_code == 403 and "your own account" in refusal.text


# The last admin: the command line may act on anyone else ---------------------------------------------

@pytest.mark.parametrize("command", [["role", "root", "moderator"], ["disable", "root"]])
async def test_roles_cli_never_removes_the_last_admin(app, settings, tmp_path, monkeypatch, command):
    monkeypatch.setenv("CURBSIDE_DOMAIN", settings.domain)
    await member(app, "root", role="admin")
    await member(app, "mod", role="moderator")

    def accounts(*args: str):
        return curbside(tmp_path / "cli", "accounts", *args, database_url=settings.database_url)

    assert "at least one admin" in refused(accounts(*command))
    assert "now admin" in ok(accounts("role", "mod", "admin"))
    ok(accounts(*command))  # another admin is left: the system administrator may
    assert "at least one admin" in refused(accounts("disable", "mod"))
    async with app.state.sessions() as session:
        roles = dict((await session.execute(select(Actor.username, Account.role).join(Account))).all())
        assert roles["mod"] == "admin"


# Nobody decides their own matter ---------------------------------------------------------------------------

async def _own_request(client, person: Member) -> str:
    submitted = await client.post("/api/v1/curbside/verification_requests", data=CLAIMS, headers=person.headers)
    assert submitted.status_code in (200, 201), submitted.text
    return submitted.json()["id"]


async def _request_state(app, request_id: str) -> str:
    async with app.state.sessions() as session:
        return (await session.get(VerificationRequest, int(request_id))).state


@pytest.mark.parametrize("step, body", [("approve", {}), ("reject", {"reason": "mine"}),
                                        ("request_info", {"message": "really?"})])
async def test_roles_api_nobody_decides_their_own_verification_request(app, client, people, step, body):
    request_id = await _own_request(client, people["mod"])
    path = f"{ADMIN}/verification_requests/{request_id}/{step}"
    refusal = await client.post(path, json=body, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "verification request of your own" in refusal.json()["error"]
    assert await _request_state(app, request_id) == "pending"
    assert (await client.post(path, json=body, headers=people["root"].headers)).status_code == 200


async def test_roles_web_nobody_approves_their_own_verification_request(app, client, people):
    request_id = await _own_request(client, people["mod"])
    assert (await log_in(client, "mod")).status_code == 303
    page = f"/admin/verifications/{request_id}"
    refusal = await form_post(client, f"{page}/approve", page)
    assert refusal.status_code == 403 and "verification request of your own" in refusal.text
    assert await _request_state(app, request_id) == "pending"


async def test_roles_api_an_admin_cannot_grant_themselves_a_verification(client, people):
    body = {"username": "root", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "US-CA"}
    refusal = await client.post(f"{ADMIN}/verifications", json=body, headers=people["root"].headers)
    assert refusal.status_code == 403 and "verification of your own" in refusal.json()["error"]
    assert (await client.post(f"{ADMIN}/verifications", json={**body, "username": "ann"},
                              headers=people["root"].headers)).status_code == 201


@pytest.mark.parametrize("party", ["reporter", "target"])
@pytest.mark.parametrize("step, body", [("action", {"type": "warn"}), ("resolve", {}), ("assign_to_self", {}),
                                        ("reopen", {})])
async def test_roles_api_nobody_decides_a_report_they_are_party_to(app, client, people, party, step, body):
    reporter, target = (people["mod"], people["ann"]) if party == "reporter" else (people["ann"], people["mod"])
    report_id = await report(app, reporter, target)
    path = f"/api/v1/admin/reports/{report_id}/{step}"
    refusal = await client.post(path, json=body, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "a report of your own" in refusal.json()["error"]
    assert await report_state(app, report_id) == "open" and await traces(app, target) == (False, False, 0)
    assert (await client.post(path, json=body, headers=people["root"].headers)).status_code == 200


async def test_roles_web_a_reporter_cannot_decide_their_own_report(app, client, people):
    report_id = await report(app, people["mod"], people["ann"])
    assert (await log_in(client, "mod")).status_code == 303
    page = f"/admin/reports/{report_id}"
    refusal = await form_post(client, f"{page}/act", page, action="dismiss")
    assert refusal.status_code == 403 and "a report of your own" in refusal.text
    assert await report_state(app, report_id) == "open"


async def _appealed_notice(client, people) -> str:
    warned = await client.post(f"/api/v1/admin/accounts/{people['mod'].id}/action", json={"type": "none"},
                               headers=people["root"].headers)
    assert warned.status_code == 200, warned.text
    notice = (await client.get("/api/v1/moderation_warnings", headers=people["mod"].headers)).json()[0]
    appealed = await client.post(f"/api/v1/moderation_warnings/{notice['id']}/appeal", json={"text": "Unfair"},
                                 headers=people["mod"].headers)
    assert appealed.status_code == 200, appealed.text
    return notice["id"]


async def _appeal_state(app, warning_id: str) -> str:
    async with app.state.sessions() as session:
        return (await session.get(AccountWarning, int(warning_id))).appeal_state


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_roles_api_nobody_decides_their_own_appeal(app, client, people, decision):
    warning_id = await _appealed_notice(client, people)
    path = f"/api/v1/admin/appeals/{warning_id}/{decision}"
    refusal = await client.post(path, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "an appeal of your own" in refusal.json()["error"]
    assert await _appeal_state(app, warning_id) == "pending"
    assert (await client.post(path, headers=people["boss"].headers)).status_code == 200


async def test_roles_web_nobody_decides_their_own_appeal(app, client, people):
    warning_id = await _appealed_notice(client, people)
    assert (await log_in(client, "mod")).status_code == 303
    refusal = await form_post(client, f"/admin/reports/appeals/{warning_id}/approve", "/admin/reports")
    assert refusal.status_code == 403 and "an appeal of your own" in refusal.text
    assert await _appeal_state(app, warning_id) == "pending"


@pytest.mark.parametrize("decision, body", [("approve", {}), ("reject", {"reason": "identifiable"})])
async def test_roles_api_nobody_decides_their_own_held_post(app, client, people, decision, body):
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    held = await client.post("/api/v1/statuses", json={"status": PHI}, headers=people["mod"].headers)
    assert held.json()["curbside"]["held"] is True, held.text
    async with app.state.sessions() as session:
        held_id = (await session.execute(select(HeldPost.id))).scalar_one()
    path = f"{ADMIN}/held_statuses/{held_id}/{decision}"
    refusal = await client.post(path, json=body, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "a held post of your own" in refusal.json()["error"]
    async with app.state.sessions() as session:
        assert await session.get(HeldPost, held_id) is not None
    assert (await client.post(path, json=body, headers=people["mod2"].headers)).status_code == 200


# Rank in decisions: an appeal or a verification of a staff account is not a moderator's to decide -------

async def _limited_and_appealed(app, client, people, target: str) -> str:
    """root (an admin) limits `target`, who appeals."""
    limited = await client.post(f"/api/v1/admin/accounts/{people[target].id}/action", json={"type": "silence"},
                                headers=people["root"].headers)
    assert limited.status_code == 200, limited.text
    notice = (await client.get("/api/v1/moderation_warnings", headers=people[target].headers)).json()[0]
    appealed = await client.post(f"/api/v1/moderation_warnings/{notice['id']}/appeal", json={"text": "Unfair"},
                                 headers=people[target].headers)
    assert appealed.status_code == 200, appealed.text
    return notice["id"]


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_roles_api_a_moderator_cannot_decide_a_staff_appeal(app, client, people, decision):
    warning_id = await _limited_and_appealed(app, client, people, "mod")
    path = f"/api/v1/admin/appeals/{warning_id}/{decision}"
    refusal = await client.post(path, headers=people["mod2"].headers)
    assert refusal.status_code == 403 and "members only" in refusal.json()["error"], refusal.text
    assert await _appeal_state(app, warning_id) == "pending" and await traces(app, people["mod"]) == (True, False, 1)
    assert (await client.post(path, headers=people["boss"].headers)).status_code == 200
    assert (await traces(app, people["mod"]))[0] is (decision == "reject")


async def test_roles_api_a_moderator_still_decides_a_members_appeal(app, client, people):
    warning_id = await _limited_and_appealed(app, client, people, "ann")
    approved = await client.post(f"/api/v1/admin/appeals/{warning_id}/approve", headers=people["mod"].headers)
    assert approved.status_code == 200 and await traces(app, people["ann"]) == (False, False, 1)


async def test_roles_web_a_moderator_cannot_undo_an_admins_sanction_of_staff(app, client, people):
    warning_id = await _limited_and_appealed(app, client, people, "mod2")
    assert (await log_in(client, "mod")).status_code == 303
    refusal = await form_post(client, f"/admin/reports/appeals/{warning_id}/approve", "/admin/reports")
    assert refusal.status_code == 403 and "members only" in refusal.text
    assert await _appeal_state(app, warning_id) == "pending" and (await traces(app, people["mod2"]))[0] is True


@pytest.mark.parametrize("party", ["mod2", "root"])
@pytest.mark.parametrize("step, body", [("approve", {}), ("reject", {"reason": "no"}),
                                        ("request_info", {"message": "really?"})])
async def test_roles_api_a_moderator_cannot_decide_a_staff_verification_request(app, client, people, party, step,
                                                                                 body):
    request_id = await _own_request(client, people[party])
    path = f"{ADMIN}/verification_requests/{request_id}/{step}"
    refusal = await client.post(path, json=body, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "members only" in refusal.json()["error"], refusal.text
    assert await _request_state(app, request_id) == "pending"
    assert (await client.post(path, json=body, headers=people["boss"].headers)).status_code == 200


async def test_roles_web_a_moderator_cannot_approve_an_admins_verification_request(app, client, people):
    request_id = await _own_request(client, people["root"])
    assert (await log_in(client, "mod")).status_code == 303
    page = f"/admin/verifications/{request_id}"
    refusal = await form_post(client, f"{page}/approve", page)
    assert refusal.status_code == 403 and "members only" in refusal.text
    assert await _request_state(app, request_id) == "pending"


async def test_roles_api_a_moderator_cannot_revoke_an_admins_verification(client, people):
    body = {"username": "root", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "US-CA"}
    assert (await client.post(f"{ADMIN}/verifications", json=body, headers=people["boss"].headers)).status_code == 201
    path = f"{ADMIN}/accounts/{people['root'].id}/revoke_verification"
    refusal = await client.post(path, json={"reason": "spite"}, headers=people["mod"].headers)
    assert refusal.status_code == 403 and "members only" in refusal.json()["error"], refusal.text
    assert (await client.post(path, json={"reason": "lapsed"}, headers=people["boss"].headers)).status_code == 200


async def test_roles_cli_the_system_administrator_decides_an_admins_verification(app, client, settings, tmp_path,
                                                                                 monkeypatch, people):
    monkeypatch.setenv("CURBSIDE_DOMAIN", settings.domain)
    request_id = await _own_request(client, people["root"])
    ok(curbside(tmp_path / "cli", "verifications", "approve", request_id, database_url=settings.database_url))
    assert await _request_state(app, request_id) == "approved"


# The last admin under concurrency: two admins removing each other at once ----------------------------------

async def test_roles_two_admins_cannot_disable_each_other_at_once(app):
    """Each removal counts the other admin; without a lock both counts see one and both commit."""
    await member(app, "root", role="admin")
    await member(app, "boss", role="admin")
    async with app.state.sessions() as first, app.state.sessions() as second:
        root, boss = await _admin(first, "root"), await _admin(first, "boss")
        await member_admin.disable(first, boss, by=root)  # flushed, not committed
        root2, boss2 = await _admin(second, "root"), await _admin(second, "boss")
        crossing = asyncio.create_task(member_admin.disable(second, root2, by=boss2))
        await asyncio.sleep(0.5)  # the second waits on the first's lock, or (unlocked) runs through
        await first.commit()
        with pytest.raises(ServiceError, match="at least one admin"):
            await crossing
        await second.rollback()
    async with app.state.sessions() as session:
        able = await session.scalar(select(func.count()).select_from(Account).where(
            Account.role == "admin", Account.disabled_at.is_(None)))
    assert able == 1


async def _admin(session, name: str) -> Account:
    return (await session.execute(select(Account).join(Actor).where(Actor.username == name))).scalar_one()
