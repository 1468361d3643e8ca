"""The visitor's account pages: /about, signing up in each registration mode (with invite links and the
professional profile), the mailed confirmation link, and a forgotten password reset by mail (a real SMTP
server on loopback)."""
import httpx
from sqlalchemy import select

from server.db.models import Account, MemberProfile, OAuthToken, WebSession
from server.services.accounts.invites import create_invite
from server.services.instance import site
from server.services.instance.settings import set_registration_mode
from tests.support.members import PASSWORD, member
from tests.support.smtp import link_in
from tests.support.web import csrf_of, form_token, log_in, member_session


async def _mode(app, mode: str) -> None:
    async with app.state.sessions() as session:
        await set_registration_mode(session, mode)
        await session.commit()


async def _sign_up(client, **fields) -> httpx.Response:
    token = await form_token(client, "/login")  # a visitor has one token for every form
    form = {"csrf_token": token, "username": "ada", "email": "ada@example.org", "password": PASSWORD,
            "password_confirmation": PASSWORD, "agreement": "on", **fields}
    return await client.post("/signup", data=form)


async def _account(app, email: str) -> Account | None:
    async with app.state.sessions() as session:
        return (await session.execute(select(Account).where(Account.email == email))).scalar_one_or_none()


async def test_web_about_shows_the_society_to_visitors_and_members(app, client):
    async with app.state.sessions() as session:
        await site.update(session, ["default"], site_description="Cardiologists of the North",
                          rules=["Be kind", "No patient identifiers"])
        await session.commit()
    await member(app, "chair", role="admin")
    await _mode(app, "approval")
    page = await client.get("/about")
    assert page.status_code == 200 and "Cardiologists of the North" in page.text
    assert "No patient identifiers" in page.text and "<strong>1</strong> member" in page.text
    assert "Request to join" in page.text and "@chair" in page.text
    await member_session(app, client, "reader")
    member_view = await client.get("/about")
    assert member_view.status_code == 200 and "Request to join" not in member_view.text
    assert "<strong>2</strong> members" in member_view.text and 'action="/logout"' in member_view.text


async def test_web_signup_closed_explains_and_refuses(app, client):
    await _mode(app, "closed")
    page = await client.get("/signup")
    assert page.status_code == 200 and "not taking new members" in page.text and 'name="password"' not in page.text
    refused = await _sign_up(client)
    assert refused.status_code == 403 and "closed" in refused.text
    assert await _account(app, "ada@example.org") is None


async def test_web_signup_by_invite_link_confirms_by_mail_and_logs_in(mail_app, mail_client, smtp):
    await _mode(mail_app, "invite")
    assert "by invitation" in (await mail_client.get("/signup")).text
    assert (await mail_client.get("/invite/not-a-code")).status_code == 404
    async with mail_app.state.sessions() as session:
        invite = await create_invite(session, None, max_uses=1)
        await session.commit()
    page = await mail_client.get(f"/invite/{invite.code}")
    assert page.status_code == 200 and f'value="{invite.code}"' in page.text and "You were invited" in page.text
    sent = await mail_client.post("/signup", data={
        "csrf_token": csrf_of(page.text), "invite_code": invite.code, "username": "ada", "email": "ada@example.org",
        "password": PASSWORD, "password_confirmation": PASSWORD, "agreement": "on", "real_name": "Ada Lovelace",
        "profession": "physician", "specialty": "207RC0000X", "pseudonymous": "on"})
    assert sent.status_code == 200 and "Check your email" in sent.text and "awaiting approval" not in sent.text
    [message] = smtp.mailbox.wait_for("ada@example.org")
    token = link_in(message, "/confirm/")
    assert f"{mail_app.state.settings.base_url}/confirm/{token}" in message.get_content()
    async with mail_app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.email == "ada@example.org"))).scalar_one()
        profile = await session.get(MemberProfile, account.actor_id)
    assert account.approved_at is not None and account.confirmed_at is None
    assert (profile.real_name, profile.profession, profile.specialty_code, profile.pseudonymous) == \
        ("Ada Lovelace", "physician", "207RC0000X", True)
    shown = await mail_client.get(f"/confirm/{token}")  # a mail scanner opening the link spends nothing
    assert shown.status_code == 200 and "@ada" in shown.text and "Confirm my address" in shown.text
    confirmed = await mail_client.post(f"/confirm/{token}", data={"csrf_token": csrf_of(shown.text)})
    assert confirmed.status_code == 303 and confirmed.headers["location"].startswith("/settings/profile")
    assert "curbside_session=" in confirmed.headers["set-cookie"]
    assert (await mail_client.get("/settings/profile")).status_code == 200  # logged in
    assert (await _account(mail_app, "ada@example.org")).confirmed_at is not None
    again = await mail_client.get(f"/confirm/{token}")
    assert again.status_code == 400 and "does not work" in again.text


async def test_web_signup_approval_asks_a_reason_then_waits(mail_app, mail_client, smtp):
    await _mode(mail_app, "approval")
    page = await mail_client.get("/signup")
    assert 'name="reason"' in page.text
    no_reason = await _sign_up(mail_client)
    assert no_reason.status_code == 422 and "why you want to join" in no_reason.text
    sent = await _sign_up(mail_client, reason="Cardiology fellow at St Elsewhere")
    assert sent.status_code == 200 and "awaiting approval" in sent.text
    token = link_in(smtp.mailbox.wait_for("ada@example.org")[0], "/confirm/")
    shown = await mail_client.get(f"/confirm/{token}")
    confirmed = await mail_client.post(f"/confirm/{token}", data={"csrf_token": csrf_of(shown.text)})
    assert confirmed.status_code == 200 and "awaiting approval" in confirmed.text
    assert "curbside_session=" not in confirmed.headers.get("set-cookie", "")
    account = await _account(mail_app, "ada@example.org")
    assert account.confirmed_at is not None and account.approved_at is None
    assert account.registration_reason == "Cardiology fellow at St Elsewhere"


async def test_web_signup_open_refuses_bad_input_and_creates_nothing(app, client):
    await _mode(app, "open")
    mismatch = await _sign_up(client, password_confirmation="something else entirely")
    assert mismatch.status_code == 422 and "do not match" in mismatch.text
    no_agreement = await _sign_up(client, agreement="")
    assert no_agreement.status_code == 422 and "agree" in no_agreement.text
    wrong_specialty = await _sign_up(client, profession="pharmacist", specialty="207RC0000X")
    assert wrong_specialty.status_code == 422 and "not one of the pharmacist specialties" in wrong_specialty.text
    assert 'value="ada@example.org"' in wrong_specialty.text  # what was typed is kept
    assert await _account(app, "ada@example.org") is None  # the refused profile undid the account too
    done = await _sign_up(client)
    assert done.status_code == 200 and (await _account(app, "ada@example.org")).approved_at is not None


async def test_web_password_reset_by_mail_ends_every_other_session(mail_app, mail_client, smtp):
    await member(mail_app, "hana")
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(transport=transport, base_url=mail_app.state.settings.base_url) as laptop:
        assert (await log_in(laptop, "hana")).status_code == 303
        token = await form_token(mail_client, "/password/forgot")
        unknown = await mail_client.post("/password/forgot", data={"csrf_token": token, "login": "nobody@example.org"})
        known = await mail_client.post("/password/forgot", data={"csrf_token": token, "login": "hana@example.org"})
        assert unknown.status_code == known.status_code == 200 and unknown.text == known.text
        [message] = smtp.mailbox.wait_for("hana@example.org")
        reset = link_in(message, "/password/reset/")
        page = await mail_client.get(f"/password/reset/{reset}")
        assert page.status_code == 200 and "@hana" in page.text
        form = {"csrf_token": csrf_of(page.text), "password": "a brand new password",
                "password_confirmation": "a brand new password"}
        weak = await mail_client.post(f"/password/reset/{reset}", data={**form, "password": "short",
                                                                        "password_confirmation": "short"})
        assert weak.status_code == 422 and "at least 10 characters" in weak.text
        done = await mail_client.post(f"/password/reset/{reset}", data=form)
        assert done.status_code == 303 and "curbside_session=" in done.headers["set-cookie"]
        assert (await laptop.get("/settings/account")).status_code == 303  # logged out there
        assert (await mail_client.get("/settings/account")).status_code == 200  # logged in here
        assert (await mail_client.get(f"/password/reset/{reset}")).status_code == 400  # used once
        assert (await log_in(laptop, "hana", "a brand new password")).status_code == 303
    async with mail_app.state.sessions() as session:
        assert all(t.revoked_at for t in (await session.execute(select(OAuthToken))).scalars())
        assert len((await session.execute(select(WebSession))).scalars().all()) == 2
