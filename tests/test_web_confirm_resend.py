"""/confirm/resend: a new confirmation mail (a real SMTP server on loopback) for an unconfirmed address,
the same answer for every other address, a few mails an hour at most, and the links that lead there."""
from __future__ import annotations

from sqlalchemy import select

from server.db.models import Account
from server.services.accounts.registration import MAILS_PER_HOUR
from server.services.instance.settings import set_registration_mode
from tests.support.members import PASSWORD, member
from tests.support.smtp import link_in
from tests.support.web import csrf_of, form_token, log_in


async def _resend(client, email: str):
    return await client.post("/confirm/resend", data={"csrf_token": await form_token(client, "/confirm/resend"),
                                                      "email": email})


async def test_web_confirm_resend_mails_a_working_link_and_answers_alike_for_unknown_addresses(
        mail_app, mail_client, smtp):
    await member(mail_app, "nina", confirmed=False)
    await member(mail_app, "omar")  # confirmed already: nothing to send
    unknown = await _resend(mail_client, "nobody@example.org")
    confirmed = await _resend(mail_client, "omar@example.org")
    known = await _resend(mail_client, "Nina@example.org")
    assert unknown.status_code == confirmed.status_code == known.status_code == 200
    assert unknown.text == confirmed.text == known.text and "If an account with that address" in known.text
    [message] = smtp.mailbox.wait_for("nina@example.org")
    token = link_in(message, "/confirm/")
    page = await mail_client.get(f"/confirm/{token}")
    done = await mail_client.post(f"/confirm/{token}", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303
    async with mail_app.state.sessions() as session:
        nina = (await session.execute(select(Account).where(Account.email == "nina@example.org"))).scalar_one()
    assert nina.confirmed_at is not None
    assert [m["To"] for m in smtp.mailbox.messages] == ["nina@example.org"]


async def test_web_confirm_resend_sends_a_few_mails_an_hour_then_stays_silent(mail_app, mail_client, smtp):
    await member(mail_app, "pia", confirmed=False)
    answers = [await _resend(mail_client, "pia@example.org") for _ in range(MAILS_PER_HOUR + 2)]
    assert len({a.text for a in answers}) == 1 and all(a.status_code == 200 for a in answers)
    smtp.mailbox.wait_for("pia@example.org", MAILS_PER_HOUR)
    assert len(smtp.mailbox.to("pia@example.org")) == MAILS_PER_HOUR
    not_an_address = await _resend(mail_client, "pia")
    assert not_an_address.status_code == 422 and "email address" in not_an_address.text


async def test_web_confirm_resend_is_linked_from_the_login_error_and_the_signup_page(app, client):
    await member(app, "quinn", confirmed=False)
    refused = await log_in(client, "quinn")
    assert refused.status_code == 400 and 'href="/confirm/resend"' in refused.text
    wrong = await log_in(client, "quinn", "not the password")
    assert 'href="/confirm/resend"' not in wrong.text  # said only to who knows the password
    page = await client.get("/confirm/resend")
    assert page.status_code == 200 and 'action="/confirm/resend"' in page.text
    async with app.state.sessions() as session:
        await set_registration_mode(session, "open")
        await session.commit()
    signed_up = await client.post("/signup", data={
        "csrf_token": csrf_of(page.text), "username": "rosa", "email": "rosa@example.org", "password": PASSWORD,
        "password_confirmation": PASSWORD, "agreement": "on"})
    assert signed_up.status_code == 200 and "Check your email" in signed_up.text
    assert 'href="/confirm/resend"' in signed_up.text


async def test_web_password_forgot_shares_the_cap_on_mailed_links(mail_app, mail_client, smtp):
    await member(mail_app, "sara")
    token = await form_token(mail_client, "/password/forgot")
    answers = [await mail_client.post("/password/forgot", data={"csrf_token": token, "login": "sara"})
               for _ in range(MAILS_PER_HOUR + 1)]
    assert len({a.text for a in answers}) == 1  # the same answer, capped or not
    smtp.mailbox.wait_for("sara@example.org", MAILS_PER_HOUR)
    assert len(smtp.mailbox.to("sara@example.org")) == MAILS_PER_HOUR
