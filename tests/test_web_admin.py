"""The admin pages, part one: who may see them, the dashboard, the verification queue, reports and appeals,
the audit log, and CSRF on every admin form. Each action is driven through the real forms and checked in
the database and the audit log."""
import re

import pytest
from sqlalchemy import select

from server.db.ids import snowflake
from server.db.models import (
    Account,
    AccountModeration,
    AccountWarning,
    AuditEntry,
    Delivery,
    Host,
    Post,
    Report,
    Verification,
    VerificationAudit,
    VerificationRequest,
)
from server.db.types import utcnow
from server.services.moderation import actions, audit
from server.services.verification.workflow import Submission, Upload, submit_request
from server.web.routes import WEB_ROUTES
from tests.support import factories
from tests.support.web import csrf_of, member_session

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154"
                    "78da63f8cfc0f01f0005000201a0c2a8a40000000049454e44ae426082")


async def token(client, path: str = "/admin") -> str:
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_of(page.text)


async def post(client, path: str, page: str = "/admin", **data) -> object:
    return await client.post(path, data={"csrf_token": await token(client, page), **data})


async def entries(app, action: str) -> list[AuditEntry]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


# Who may see what ------------------------------------------------------------------------------------

async def test_web_admin_moderators_review_but_only_admins_run_the_instance(app, client):
    await member_session(app, client, "mod", role="moderator")
    for path in ("/admin", "/admin/verifications", "/admin/reports", "/admin/domains", "/admin/blocklists",
                 "/admin/audit"):
        assert (await client.get(path)).status_code == 200, path
    for path in ("/admin/members", "/admin/settings"):
        assert (await client.get(path)).status_code == 403, path
    refused = await client.post("/admin/settings/joining", data={"csrf_token": await token(client),
                                                                   "registration_mode": "open"})
    assert refused.status_code == 403
    assert "/admin/settings" not in (await client.get("/admin")).text  # not offered in the menu either


async def test_web_admin_pages_refuse_plain_members(app, client):
    await member_session(app, client, "plain")
    for path in ("/admin", "/admin/reports/1", "/admin/verifications/1/evidence", "/admin/domains/export"):
        assert (await client.get(path)).status_code == 403, path


async def test_web_admin_forms_with_ids_refuse_a_post_without_csrf(app, client):
    await member_session(app, client, "boss", role="admin")
    for route in WEB_ROUTES:
        if route.path.startswith("/admin") and "POST" in route.methods and "{" in route.path:
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            assert (await client.post(path, data={"text": "x"})).status_code == 403, path


# Dashboard -------------------------------------------------------------------------------------------

async def test_web_admin_dashboard_counts_queues_and_shows_failing_hosts(app, client):
    await member_session(app, client, "boss", role="admin")
    async with app.state.sessions() as session:
        boss = (await session.execute(select(Account))).scalars().first()
        await factories.member(session, app.state.urls, "curbside.test", "waiting")
        waiting = (await session.execute(select(Account).order_by(Account.id.desc()))).scalars().first()
        waiting.approved_at = None
        session.add(Host(domain="down.example", failures=9, first_failure_at=utcnow(), unavailable_since=utcnow()))
        for n in range(3):
            session.add(Delivery(id=snowflake(), activity_uri=f"https://x/{n}", inbox="https://down.example/inbox",
                                 host="down.example", body="{}", signer_id=boss.actor_id, attempts=1))
        await session.commit()
    page = (await client.get("/admin")).text
    assert re.search(r"<strong>1</strong>\s*registration waiting", page)
    row = page[page.index("down.example"):]
    assert "unavailable" in row[:600] and re.search(r'class="num">3</td>', row[:600])


# Verifications -----------------------------------------------------------------------------------------

@pytest.fixture
async def request_id(app):
    """A member's verification request with an evidence file."""
    async with app.state.sessions() as session:
        actor = await factories.member(session, app.state.urls, "curbside.test", "grace")
        member = (await session.execute(select(Account).where(Account.actor_id == actor.id))).scalar_one()
        found = await submit_request(session, app.state.settings, member, Submission(
            "physician", "207RC0000X", "npi", "1234567893", "US-CA", note="cardiologist",
            evidence=Upload(PNG, "licence.png", "image/png")), storage=app.state.runtime.storage)
        await session.commit()
        return found.id


async def test_web_admin_verification_is_approved_through_the_workflow(app, client, request_id):
    await member_session(app, client, "mod", role="moderator")
    queue = (await client.get("/admin/verifications")).text
    assert f"/admin/verifications/{request_id}" in queue and "@grace" in queue
    detail = (await client.get(f"/admin/verifications/{request_id}")).text
    assert "1234567893" in detail and "grace@example.org" in detail  # the reviewer's view
    done = await post(client, f"/admin/verifications/{request_id}/approve", f"/admin/verifications/{request_id}")
    assert done.status_code == 303 and done.headers["location"].endswith("done=approved")
    async with app.state.sessions() as session:
        assert (await session.get(VerificationRequest, request_id)).state == "approved"
        granted = (await session.execute(select(Verification))).scalar_one()
        assert granted.profession == "physician" and granted.revoked_at is None
        steps = [e.action for e in (await session.execute(select(VerificationAudit))).scalars()]
    assert steps == ["submitted", "approved"]
    again = await post(client, f"/admin/verifications/{request_id}/reject", f"/admin/verifications/{request_id}",
                       reason="late")
    assert again.status_code == 409 and "approved already" in again.text


async def test_web_admin_verification_rejection_needs_a_reason_and_questions_reach_the_member(app, client, request_id):
    await member_session(app, client, "mod", role="moderator")
    page = f"/admin/verifications/{request_id}"
    empty = await post(client, f"{page}/reject", page, reason="  ")
    assert empty.status_code == 422 and "Please give a reason." in empty.text and "Log out" in empty.text
    asked = await post(client, f"{page}/ask", page, message="A clearer copy of the licence, please.")
    assert asked.status_code == 303
    async with app.state.sessions() as session:
        found = await session.get(VerificationRequest, request_id)
        assert (found.state, found.reviewer_note) == ("info_requested", "A clearer copy of the licence, please.")
    rejected = await post(client, f"{page}/reject", page, reason="The licence has expired.")
    assert rejected.status_code == 303
    async with app.state.sessions() as session:
        assert (await session.get(VerificationRequest, request_id)).state == "rejected"


async def test_web_admin_evidence_is_downloaded_by_reviewers_only_and_audited(app, client, request_id):
    url = f"/admin/verifications/{request_id}/evidence"
    assert (await client.get(url)).status_code == 303  # visitors: to the login page
    await member_session(app, client, "plain")
    assert (await client.get(url)).status_code == 403
    client.cookies.clear()
    await member_session(app, client, "mod", role="moderator")
    download = await client.get(url)
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["cache-control"] == "no-store"
    async with app.state.sessions() as session:
        viewed = (await session.execute(select(VerificationAudit).where(
            VerificationAudit.action == "evidence_viewed"))).scalar_one()
    assert viewed.by_username == "mod" and viewed.evidence_sha256
    assert "evidence_viewed" in (await client.get("/admin/audit?log=verification")).text


# Reports -------------------------------------------------------------------------------------------------

@pytest.fixture
async def reported(app):
    """A member's report about a remote post, and a Flag from another server about a local member."""
    async with app.state.sessions() as session:
        lena = await factories.member(session, app.state.urls, "curbside.test", "lena")
        sam = await factories.member(session, app.state.urls, "curbside.test", "sam")
        bob = await factories.remote_actor(session, "bob", "quack.example")
        carol = await factories.remote_actor(session, "carol", "other.example")
        bobs = Post(id=snowflake(), uri="https://quack.example/users/bob/statuses/1", author_id=bob.id, author=bob,
                    local=False, visibility="public", content_html="<p>Stop your statins!<script>x()</script></p>")
        session.add(bobs)
        await session.flush()
        about_bob = Report(id=snowflake(), origin="local", reporter_id=lena.id, target_id=bob.id, target_uri=bob.uri,
                           post_ids=[bobs.id], post_uris=[bobs.uri], category="misinformation", comment="dangerous")
        about_sam = Report(id=snowflake(), origin="remote", flag_uri="https://other.example/flags/1",
                           reporter_id=carol.id, target_id=sam.id, target_uri=sam.uri, category="harassment",
                           comment="rude replies")
        session.add_all([about_bob, about_sam])
        await session.commit()
        return {"bob": about_bob.id, "sam": about_sam.id, "post": bobs.id, "sam_actor": sam.id}


async def test_web_admin_report_queue_filters_and_shows_posts_safely(app, client, reported):
    await member_session(app, client, "mod", role="moderator")
    queue = (await client.get("/admin/reports")).text
    assert f"/admin/reports/{reported['bob']}" in queue and f"/admin/reports/{reported['sam']}" in queue
    remote_only = (await client.get("/admin/reports?origin=remote")).text
    assert f"/admin/reports/{reported['sam']}" in remote_only and f"/admin/reports/{reported['bob']}" not in remote_only
    by_category = (await client.get("/admin/reports?category=misinformation")).text
    assert f"/admin/reports/{reported['sam']}" not in by_category
    detail = (await client.get(f"/admin/reports/{reported['bob']}")).text
    assert "Stop your statins!" in detail and "<script>" not in detail and "Medical misinformation" in detail
    flag = (await client.get(f"/admin/reports/{reported['sam']}")).text
    assert "other.example" in flag and "do not name the person" in flag


async def test_web_admin_report_action_deletes_the_post_and_is_audited(app, client, reported):
    await member_session(app, client, "mod", role="moderator")
    page = f"/admin/reports/{reported['bob']}"
    done = await post(client, f"{page}/act", page, action="delete_post", text="misinformation",
                      post=str(reported["post"]))
    assert done.status_code == 303 and done.headers["location"].endswith("done=acted")
    async with app.state.sessions() as session:
        assert await session.get(Post, reported["post"]) is None
        report = await session.get(Report, reported["bob"])
        assert (report.state, report.action_taken) == ("resolved", "delete_post")
    [entry] = await entries(app, "report.delete_post")
    assert entry.actor_name.startswith("mod@") and entry.reason == "misinformation"
    assert (await post(client, f"{page}/reopen", page)).status_code == 303
    async with app.state.sessions() as session:
        assert (await session.get(Report, reported["bob"])).state == "open"


async def test_web_admin_suspension_of_a_member_and_its_appeal(app, client, reported):
    await member_session(app, client, "mod", role="moderator")
    page = f"/admin/reports/{reported['sam']}"
    bad = await post(client, f"{page}/act", page, action="erase_everything")
    assert bad.status_code == 422 and "Choose one of the actions." in bad.text
    assert (await post(client, f"{page}/act", page, action="suspend", text="harassment")).status_code == 303
    async with app.state.sessions() as session:
        sam = (await session.execute(select(Account).where(Account.actor_id == reported["sam_actor"]))).scalar_one()
        assert sam.disabled_at is not None
        assert (await session.get(AccountModeration, sam.actor_id)).suspended_at is not None
        warning = (await session.execute(select(AccountWarning))).scalar_one()
        await actions.appeal(session, sam.actor, warning.id, "It was a misunderstanding.")
        await session.commit()
    queue = (await client.get("/admin/reports")).text
    assert "It was a misunderstanding." in queue
    decided = await post(client, f"/admin/reports/appeals/{warning.id}/approve", "/admin/reports")
    assert decided.status_code == 303 and "#appeals" in decided.headers["location"]
    async with app.state.sessions() as session:
        assert (await session.get(Account, sam.id)).disabled_at is None
        assert (await session.get(AccountWarning, warning.id)).appeal_state == "approved"
    assert await entries(app, "warning.appeal_approved")


async def test_web_admin_moderator_cannot_sanction_themselves(app, client):
    await member_session(app, client, "mod", role="moderator")
    async with app.state.sessions() as session:
        mod = (await session.execute(select(Account))).scalars().first()
        reporter = await factories.member(session, app.state.urls, "curbside.test", "someone")
        report = Report(id=snowflake(), origin="local", reporter_id=reporter.id, target_id=mod.actor_id,
                        target_uri=mod.actor.uri, category="other")
        session.add(report)
        await session.commit()
    page = f"/admin/reports/{report.id}"
    refused = await post(client, f"{page}/act", page, action="suspend")
    assert refused.status_code == 403 and "a report of your own" in refused.text
    async with app.state.sessions() as session:
        assert (await session.get(Account, mod.id)).disabled_at is None


# Audit log --------------------------------------------------------------------------------------------

async def test_web_admin_audit_log_filters_by_action_and_pages(app, client):
    await member_session(app, client, "mod", role="moderator")
    async with app.state.sessions() as session:
        for n in range(55):
            await audit.record(session, None, "domain.suspend", "domain", f"spam{n}.example", by="test")
        await session.commit()
    await post(client, "/admin/domains/mode", "/admin/domains", mode="allowlist")
    page = (await client.get("/admin/audit")).text
    assert "federation.mode" in page and "spam54.example" in page and "spam3.example" not in page
    older = re.search(r'href="(/admin/audit\?max_id=\d+)"', page).group(1)
    assert "spam3.example" in (await client.get(older)).text
    only_mode = (await client.get("/admin/audit?action=federation.mode")).text
    assert "federation.mode" in only_mode and "spam54.example" not in only_mode
