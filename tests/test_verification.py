"""The verification workflow through the client API: requests checked at once, the reviewers' queue,
approve / reject / ask for more, evidence kept only as long as allowed, expiry and reminders, the
append-only audit log."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from server.db.models import Delivery, Notification, Verification, VerificationAudit, VerificationRequest
from server.db.types import utcnow
from server.services.verification.workflow import expire_due, purge_evidence, remind_due
from tests.support import factories
from tests.support.members import ALL_SCOPES, bearer, member

pytestmark = pytest.mark.anyio
VALID_NPI = "1234567893"  # Luhn over 80840 + the number holds
WRONG_NPI = "1234567890"
PDF = b"%PDF-1.4\n% a licence scan\n"
REQUESTS = "/api/v1/curbside/verification_requests"
ADMIN = "/api/v1/curbside/admin"


def _form(**extra) -> dict:
    return {"profession": "physician", "specialty": "207RC0000X", "credential_type": "npi",
            "credential_number": VALID_NPI, "jurisdiction": "US-CA", **extra}


@pytest.fixture
async def people(app):
    roles = {"ada": "member", "mod": "moderator", "root": "admin"}
    return {name: (await member(app, name, role=role, scopes=ALL_SCOPES)).token for name, role in roles.items()}


async def _submit(client, token, evidence: bytes | None = None, **extra):
    files = {"evidence": ("licence.pdf", evidence, "application/pdf")} if evidence else None
    return await client.post(REQUESTS, data=_form(**extra), files=files, headers=bearer(token))


async def _audit(app) -> list[VerificationAudit]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(VerificationAudit).order_by(VerificationAudit.id))).scalars())


async def test_verification_request_with_a_wrong_check_digit_is_refused_with_the_reason(client, people):
    refused = await _submit(client, people["ada"], credential_number=WRONG_NPI)
    assert refused.status_code == 422
    assert refused.json()["error"] == "This NPI's check digit does not match; please check the number."
    short = await _submit(client, people["ada"], credential_type="gmc", credential_number="12345")
    assert short.status_code == 422 and "7 digits" in short.json()["error"]
    bad_specialty = await _submit(client, people["ada"], specialty="999999999X")
    assert bad_specialty.status_code == 422 and "unknown specialty" in bad_specialty.json()["error"]
    assert (await client.get(REQUESTS, headers=bearer(people["ada"]))).json() == []


async def test_verification_request_is_listed_masked_and_one_at_a_time(app, client, people):
    made = await _submit(client, people["ada"])
    assert made.status_code == 201, made.text
    mine = (await client.get(REQUESTS, headers=bearer(people["ada"]))).json()
    assert [(r["state"], r["credential_number"], r["specialty"]["name"]) for r in mine] == \
        [("pending", "••••••7893", "Cardiovascular Disease")]
    again = await _submit(client, people["ada"])
    assert again.status_code == 409
    other = (await member(app, "bob", scopes=ALL_SCOPES)).token
    assert (await client.get(f"{REQUESTS}/{mine[0]['id']}", headers=bearer(other))).status_code == 404


async def test_verification_approval_verifies_deletes_evidence_and_audits(app, client, people):
    async with app.state.sessions() as session:
        ada = (await session.execute(text("SELECT actor_id FROM accounts WHERE email='ada@example.org'"))).scalar()
        follower = await factories.remote_actor(session, "fan")
        await factories.follow(session, follower, await session.get(factories.Actor, ada))
        await session.commit()
    made = (await _submit(client, people["ada"], evidence=PDF)).json()
    assert len(made["evidence"]["sha256"]) == 64
    member_view = await client.get(f"{ADMIN}/verification_requests", headers=bearer(people["ada"]))
    assert member_view.status_code == 403
    queue = (await client.get(f"{ADMIN}/verification_requests", headers=bearer(people["mod"]))).json()
    assert ([(q["id"], q["credential_number"], q["email"]) for q in queue]
            == [(made["id"], VALID_NPI, "ada@example.org")])
    download = await client.get(f"{ADMIN}/verification_requests/{made['id']}/evidence", headers=bearer(people["mod"]))
    assert download.status_code == 200 and download.content == PDF
    async with app.state.sessions() as session:
        stored = (Path(app.state.settings.data_dir)
                  / (await session.get(VerificationRequest, int(made["id"]))).evidence_path)
    assert stored.exists()
    approved = await client.post(f"{ADMIN}/verification_requests/{made['id']}/approve", headers=bearer(people["mod"]))
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert not stored.exists() and approved.json()["evidence"]["deleted"] is True
    me = (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(people["ada"]))).json()
    assert me["curbside"]["verified"] is True
    assert me["curbside"]["badge"] == "Verified physician · Cardiovascular Disease"
    steps = [(a.action, a.by_username, a.evidence_sha256) for a in await _audit(app)]
    sha = made["evidence"]["sha256"]
    assert steps == [("submitted", "ada", sha), ("evidence_viewed", "mod", sha), ("approved", "mod", sha)]
    async with app.state.sessions() as session:
        kinds = (await session.execute(select(Notification.type))).scalars().all()
        updates = (await session.execute(select(Delivery.body))).scalars().all()
    assert kinds == ["curbside.verification"]
    assert len(updates) == 1 and '"type":"Update"' in updates[0] and "curbside:attestation" in updates[0]
    assert VALID_NPI not in updates[0]


async def test_verification_reject_needs_a_reason_and_allows_a_new_request(client, people):
    made = (await _submit(client, people["ada"])).json()
    no_reason = await client.post(f"{ADMIN}/verification_requests/{made['id']}/reject", headers=bearer(people["mod"]))
    assert no_reason.status_code == 422
    rejected = await client.post(f"{ADMIN}/verification_requests/{made['id']}/reject",
                                 json={"reason": "The NPI belongs to someone else"}, headers=bearer(people["mod"]))
    assert rejected.json()["state"] == "rejected"
    mine = (await client.get(REQUESTS, headers=bearer(people["ada"]))).json()
    assert mine[0]["reviewer_note"] == "The NPI belongs to someone else"
    twice = await client.post(f"{ADMIN}/verification_requests/{made['id']}/approve", headers=bearer(people["mod"]))
    assert twice.status_code == 409
    assert (await _submit(client, people["ada"])).status_code == 201


async def test_verification_ask_for_more_then_member_answers(client, people):
    made = (await _submit(client, people["ada"])).json()
    asked = await client.post(f"{ADMIN}/verification_requests/{made['id']}/request_info",
                              json={"message": "Please add your licence card"}, headers=bearer(people["mod"]))
    assert asked.json()["state"] == "info_requested"
    answered = await client.post(f"{REQUESTS}/{made['id']}/respond", data={"note": "Attached"},
                                 files={"evidence": ("card.png", b"\x89PNG\r\n\x1a\nrest", "image/png")},
                                 headers=bearer(people["ada"]))
    assert answered.status_code == 200 and answered.json()["state"] == "pending"
    assert answered.json()["evidence"]["name"] == "card.png"
    forged = await client.post(f"{REQUESTS}/{made['id']}/respond", data={"note": "x"}, headers=bearer(people["ada"]))
    assert forged.status_code == 409


async def test_verification_evidence_must_be_what_it_says(client, people):
    fake = await client.post(REQUESTS, data=_form(), files={"evidence": ("x.pdf", b"MZ\x90\x00", "application/pdf")},
                             headers=bearer(people["ada"]))
    assert fake.status_code == 422 and "not a PDF" in fake.json()["error"]
    exe = await client.post(REQUESTS, data=_form(), files={"evidence": ("x.exe", b"MZ", "application/x-msdownload")},
                            headers=bearer(people["ada"]))
    assert exe.status_code == 422


async def test_verification_evidence_kept_for_the_retention_period(app, client, people):
    await client.patch(f"{ADMIN}/settings", json={"evidence_retention_days": 30}, headers=bearer(people["root"]))
    made = (await _submit(client, people["ada"], evidence=PDF)).json()
    await client.post(f"{ADMIN}/verification_requests/{made['id']}/approve", headers=bearer(people["mod"]))
    async with app.state.sessions() as session:
        request = await session.get(VerificationRequest, int(made["id"]))
        stored = Path(app.state.settings.data_dir) / request.evidence_path
        assert stored.exists()
        storage = app.state.runtime.storage
        assert await purge_evidence(session, app.state.settings, storage, utcnow() + timedelta(days=29)) == 0
        assert await purge_evidence(session, app.state.settings, storage, utcnow() + timedelta(days=31)) == 1
        await session.commit()
    assert not stored.exists()
    assert [a.action for a in await _audit(app)][-1] == "evidence_deleted"


async def test_verification_grant_is_for_admins_and_revoke_publishes(app, client, people):
    body = {"username": "ada", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "us-ca"}
    assert (await client.post(f"{ADMIN}/verifications", json=body, headers=bearer(people["mod"]))).status_code == 403
    granted = await client.post(f"{ADMIN}/verifications", json=body, headers=bearer(people["root"]))
    assert granted.status_code == 201 and granted.json()["jurisdiction"] == "US-CA"
    ada = (await client.get("/api/v1/accounts/lookup", params={"acct": "ada"})).json()
    revoked = await client.post(f"{ADMIN}/accounts/{ada['id']}/revoke_verification", json={"reason": "lapsed"},
                                headers=bearer(people["mod"]))
    assert revoked.status_code == 200
    listed = (await client.get("/credentials/revoked", headers={"Accept": "application/activity+json"})).json()
    assert listed["revoked"] == [granted.json()["credential_id"]]
    ada = (await client.get("/api/v1/accounts/lookup", params={"acct": "ada"})).json()
    assert ada["curbside"]["verified"] is False
    assert [(a.action, a.by_username) for a in await _audit(app)] == [("granted", "root"), ("revoked", "mod")]


async def test_verification_expires_and_reminds_before(app, client, people):
    body = {"username": "ada", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "US-CA"}
    await client.post(f"{ADMIN}/verifications", json=body, headers=bearer(people["root"]))
    settings, mail = app.state.settings, []
    async with app.state.sessions() as session:
        verification = (await session.execute(select(Verification))).scalar_one()
        assert verification.valid_until - verification.valid_from == timedelta(days=365)
        assert await remind_due(session, settings, mail) == 0
        assert await remind_due(session, settings, mail, verification.valid_until - timedelta(days=10)) == 1
        assert await remind_due(session, settings, mail, verification.valid_until - timedelta(days=9)) == 0
        await session.execute(update(Verification).values(valid_until=utcnow() - timedelta(seconds=1)))
        assert await expire_due(session, settings, mail) == 1
        assert await expire_due(session, settings, mail) == 0
        await session.commit()
    assert [m.subject.split(" — ")[0] for m in mail] == ["Your verification ends soon", "Your verification has expired"]
    ada = (await client.get("/api/v1/accounts/lookup", params={"acct": "ada"})).json()
    assert ada["curbside"]["verified"] is False and ada["curbside"]["status"] == "unverified"


async def test_verification_audit_log_refuses_update_and_delete(app, client, people):
    await _submit(client, people["ada"])
    for statement in ("UPDATE verification_audit SET action = 'approved'", "DELETE FROM verification_audit"):
        async with app.state.sessions() as session:
            with pytest.raises(DBAPIError) as refused:
                await session.execute(text(statement))
            assert "append-only" in str(refused.value)
    assert [a.action for a in await _audit(app)] == ["submitted"]
    log = await client.get(f"{ADMIN}/verification_audit", headers=bearer(people["mod"]))
    assert [e["action"] for e in log.json()] == ["submitted"]
