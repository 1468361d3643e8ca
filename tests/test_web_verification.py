"""/verification: a request checked at once (check digits), its status and the reviewer's words, answering a
request for more information, and the badge with its expiry once approved."""
from babel.dates import format_date
from sqlalchemy import select

from server.db.models import VerificationRequest
from server.services.accounts.members import find_local_account
from server.services.verification import workflow as verification
from tests.support.web import csrf_of, member_session

VALID_NPI = "1234567893"
PDF = b"%PDF-1.4\n% a licence\n"


async def _send(client, **changes):
    page = await client.get("/verification")
    form = {"csrf_token": csrf_of(page.text), "profession": "physician", "specialty": "207RC0000X",
            "credential_type": "npi", "credential_number": VALID_NPI, "jurisdiction": "CA", **changes}
    return await client.post("/verification", data=form, files={"evidence": ("licence.pdf", PDF, "application/pdf")})


async def _request(app) -> VerificationRequest:
    async with app.state.sessions() as session:
        return (await session.execute(select(VerificationRequest))).scalar_one()


async def test_web_verification_wrong_check_digit_is_explained_at_once(app, client):
    await member_session(app, client, "ada")
    refused = await _send(client, credential_number="1234567890")
    assert refused.status_code == 422 and "check digit does not match" in refused.text
    assert 'value="1234567890"' in refused.text  # kept for correcting
    async with app.state.sessions() as session:
        assert (await session.execute(select(VerificationRequest))).first() is None
    token = csrf_of(refused.text)
    hint = await client.post("/verification/check", data={"csrf_token": token, "credential_type": "npi",
                                                            "credential_number": "1234567890"})
    assert hint.json() == {"valid": False, "message": "This NPI's check digit does not match; please check the number."}
    good = await client.post("/verification/check", data={"csrf_token": token, "credential_type": "npi",
                                                           "credential_number": VALID_NPI})
    assert good.json()["valid"] is True


async def test_web_verification_request_question_answer_and_badge(app, client):
    await member_session(app, client, "mod", role="moderator")
    await client.post("/logout", data={"csrf_token": csrf_of((await client.get("/about")).text)})
    await member_session(app, client, "bea")
    sent = await _send(client)
    assert sent.status_code == 303
    page = await client.get("/verification?notice=submitted")
    assert "Waiting for review" in page.text and "••••••7893" in page.text and VALID_NPI not in page.text
    assert 'name="credential_number"' not in page.text  # one request at a time
    request = await _request(app)
    assert (request.jurisdiction, request.evidence_name) == ("US-CA", "licence.pdf")
    async with app.state.sessions() as session:
        mod = await find_local_account(session, app.state.settings.domain, "mod")
        await verification.request_info(session, app.state.settings, await session.get(VerificationRequest, request.id),
                                        mod, "Which hospital issued the licence?", [])
        await session.commit()
    asked = await client.get("/verification")
    assert "More information requested" in asked.text and "Which hospital issued the licence?" in asked.text
    token = csrf_of(asked.text)
    empty = await client.post(f"/verification/{request.id}/respond", data={"csrf_token": token, "note": ""})
    assert empty.status_code == 422 and "answer" in empty.text
    answered = await client.post(f"/verification/{request.id}/respond",
                                 data={"csrf_token": token, "note": "St Elsewhere, Boston"})
    assert answered.status_code == 303 and (await _request(app)).state == "pending"
    async with app.state.sessions() as session:
        mod = await find_local_account(session, app.state.settings.domain, "mod")
        granted = await verification.approve(session, app.state.settings,
                                             await session.get(VerificationRequest, request.id), mod, [],
                                             storage=app.state.runtime.storage)
        await session.commit()
    badge = await client.get("/verification")
    assert "Verified physician · Cardiovascular Disease" in badge.text
    assert format_date(granted.valid_until, "long", locale="en") in badge.text and "Approved" in badge.text


async def test_web_verification_answer_only_to_own_request(app, client):
    await member_session(app, client, "cy")
    await _send(client)
    request = await _request(app)
    await client.post("/logout", data={"csrf_token": csrf_of((await client.get("/about")).text)})
    await member_session(app, client, "dee")
    token = csrf_of((await client.get("/verification")).text)
    other = await client.post(f"/verification/{request.id}/respond", data={"csrf_token": token, "note": "mine?"})
    assert other.status_code == 404
