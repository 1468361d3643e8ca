"""Registration through the Mastodon API in each mode, invites, the approval queue, email confirmation and
password reset by mail (a real SMTP server on loopback)."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.db.models import Account, AccountToken, AuditEntry, Notification
from server.db.types import utcnow
from server.services.accounts.invites import create_invite
from server.services.accounts.mailed_tokens import issue_token
from server.services.instance.settings import set_registration_mode
from tests.support.members import ALL_SCOPES, PASSWORD, app_token, bearer, member
from tests.support.smtp import link_in


async def _audit(app) -> list[tuple[str, str, str]]:
    """(who, action, target) of every audit log entry, oldest first."""
    async with app.state.sessions() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(e.actor_name.split("@")[0], e.action, e.target.split("@")[0]) for e in rows]


async def _mode(app, mode: str) -> None:
    async with app.state.sessions() as session:
        await set_registration_mode(session, mode)
        await session.commit()


def _form(username: str, **extra) -> dict:
    return {"username": username, "email": f"{username}@example.org", "password": PASSWORD, "agreement": "true",
            "locale": "en", **extra}


async def _register(client, token: str, username: str, **extra):
    return await client.post("/api/v1/accounts", data=_form(username, **extra), headers=bearer(token))


async def test_registration_open_mails_a_single_use_confirmation_link(mail_app, mail_client, smtp):
    await _mode(mail_app, "open")
    token = await app_token(mail_app)
    created = await _register(mail_client, token, "ada")
    assert created.status_code == 200, created.text
    member_token_ = created.json()["access_token"]
    blocked = await mail_client.get("/api/v1/accounts/verify_credentials", headers=bearer(member_token_))
    assert blocked.status_code == 403 and "confirmed e-mail" in blocked.json()["error"]
    [message] = smtp.mailbox.wait_for("ada@example.org")
    assert message["From"] == "society@curbside.test" and "Confirm your email" in message["Subject"]
    confirmation = link_in(message, "/confirm/")
    page = await mail_client.get("/auth/confirmation", params={"confirmation_token": confirmation})
    assert page.status_code == 200 and "confirmed" in page.text
    again = await mail_client.get("/auth/confirmation", params={"confirmation_token": confirmation})
    assert again.status_code == 400 and "invalid or has expired" in again.json()["error"]
    me = await mail_client.get("/api/v1/accounts/verify_credentials", headers=bearer(member_token_))
    assert me.status_code == 200 and me.json()["username"] == "ada"
    async with mail_app.state.sessions() as session:
        stored = (await session.execute(select(AccountToken.token_hash))).scalars().all()
    assert confirmation not in stored and all(len(h) == 64 for h in stored)  # hashed only


async def test_registration_closed_and_invite_modes_refuse_without_an_invite(app, client):
    token = await app_token(app)
    await _mode(app, "closed")
    closed = await _register(client, token, "bob")
    assert closed.status_code == 403 and "closed" in closed.json()["error"]
    await _mode(app, "invite")
    refused = await _register(client, token, "bob")
    assert refused.status_code == 403 and "invite" in refused.json()["error"]
    instance = (await client.get("/api/v1/instance")).json()
    assert instance["registrations"] is False and instance["invites_enabled"] is True


async def test_registration_invite_counts_uses_and_expires(app, client):
    await _mode(app, "invite")
    token = await app_token(app)
    async with app.state.sessions() as session:
        invite = await create_invite(session, None, max_uses=1, expires_in_days=1)
        expired = await create_invite(session, None, expires_in_days=1)
        expired.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    assert (await _register(client, token, "carol", invite_code=invite.code)).status_code == 200
    used_up = await _register(client, token, "dave", invite_code=invite.code)
    assert used_up.status_code == 403 and "used up" in used_up.json()["error"]
    too_late = await _register(client, token, "dave", invite_code=expired.code)
    assert too_late.status_code == 403
    async with app.state.sessions() as session:
        carol = (await session.execute(select(Account).where(Account.email == "carol@example.org"))).scalar_one()
    assert carol.approved_at is not None and carol.invite_id == invite.id


async def test_registration_approval_queue_for_admins(app, client):
    await _mode(app, "approval")
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    token = await app_token(app)
    no_reason = await _register(client, token, "erin")
    assert no_reason.status_code == 422 and "why" in no_reason.json()["error"]
    assert (await _register(client, token, "erin", reason="Cardiologist at St Elsewhere")).status_code == 200
    queue = (await client.get("/api/v1/curbside/admin/registrations", headers=bearer(admin))).json()
    assert [(a["username"], a["reason"]) for a in queue] == [("erin", "Cardiologist at St Elsewhere")]
    async with app.state.sessions() as session:
        kinds = (await session.execute(select(Notification.type))).scalars().all()
    assert kinds == ["admin.sign_up"]
    mallory = (await member(app, "mallory", scopes=ALL_SCOPES)).token
    assert (await client.get("/api/v1/curbside/admin/registrations", headers=bearer(mallory))).status_code == 403
    approved = await client.post(f"/api/v1/curbside/admin/registrations/{queue[0]['id']}/approve",
                                 headers=bearer(admin))
    assert approved.status_code == 200
    assert (await client.get("/api/v1/curbside/admin/registrations", headers=bearer(admin))).json() == []
    assert (await _register(client, token, "frank", reason="spam")).status_code == 200
    frank = (await client.get("/api/v1/curbside/admin/registrations", headers=bearer(admin))).json()[0]
    assert (await client.post(f"/api/v1/curbside/admin/registrations/{frank['id']}/reject",
                              headers=bearer(admin))).status_code == 200
    async with app.state.sessions() as session:
        assert (await session.execute(select(Account).where(Account.email == "frank@example.org"))).first() is None
    assert [e for e in await _audit(app) if e[1].startswith("registration.")] == [
        ("root", "registration.approve", "erin"), ("root", "registration.reject", "frank")]


async def test_registration_refuses_bad_input_and_needs_an_app_token(app, client):
    await _mode(app, "open")
    token = await app_token(app)
    assert (await client.post("/api/v1/accounts", data=_form("gina"))).status_code == 401
    no_agreement = await _register(client, token, "gina", agreement="false")
    assert no_agreement.status_code == 422 and "agree" in no_agreement.json()["error"]
    weak = await _register(client, token, "gina", password="short")
    assert weak.status_code == 422 and "at least" in weak.json()["error"]
    await _register(client, token, "gina")
    taken = await _register(client, token, "GINA", email="other@example.org")
    assert taken.status_code == 422 and "taken" in taken.json()["error"]


async def test_registration_mode_set_by_admin_overrides_the_environment(app, client):
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    assert app.state.settings.registration_mode == "approval"
    changed = await client.patch("/api/v1/curbside/admin/settings", json={"registration_mode": "open"},
                                 headers=bearer(admin))
    assert changed.status_code == 200 and changed.json()["registration_mode"] == "open"
    assert (await client.get("/api/v1/instance")).json()["registrations"] is True
    bad = await client.patch("/api/v1/curbside/admin/settings", json={"registration_mode": "anyone"},
                             headers=bearer(admin))
    assert bad.status_code == 422
    assert await _audit(app) == [("root", "settings.update", "registration_mode")]


async def test_registration_admin_invites_api(app, client):
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    made = await client.post("/api/v1/curbside/admin/invites", json={"max_uses": 5, "expires_in_days": 7},
                             headers=bearer(admin))
    assert made.status_code == 201
    invite = made.json()
    assert invite["url"].endswith(f"/invite/{invite['code']}") and invite["usable"] and invite["max_uses"] == 5
    revoked = await client.delete(f"/api/v1/curbside/admin/invites/{invite['id']}", headers=bearer(admin))
    assert revoked.json()["usable"] is False
    again = await client.delete(f"/api/v1/curbside/admin/invites/{invite['id']}", headers=bearer(admin))
    assert again.status_code == 409
    assert (await client.delete("/api/v1/curbside/admin/invites/999999", headers=bearer(admin))).status_code == 404
    bad = await client.post("/api/v1/curbside/admin/invites", json={"max_uses": 0}, headers=bearer(admin))
    assert bad.status_code == 422
    assert await _audit(app) == [("root", "invite.create", invite["id"]), ("root", "invite.revoke", invite["id"])]


async def test_password_reset_by_mail_is_single_use_and_ends_sessions(mail_app, mail_client, smtp):
    old_token = (await member(mail_app, "hana", scopes=ALL_SCOPES)).token
    unknown = await mail_client.post("/api/v1/curbside/auth/password_reset", json={"email": "nobody@example.org"})
    asked = await mail_client.post("/api/v1/curbside/auth/password_reset", json={"email": "hana@example.org"})
    assert unknown.status_code == asked.status_code == 202
    [message] = smtp.mailbox.wait_for("hana@example.org")
    reset = link_in(message, "/password/reset/")
    weak = await mail_client.post("/api/v1/curbside/auth/password", json={"token": reset, "password": "x"})
    assert weak.status_code == 422
    done = await mail_client.post("/api/v1/curbside/auth/password",
                                  json={"token": reset, "password": "a brand new passphrase"})
    assert done.status_code == 200
    reused = await mail_client.post("/api/v1/curbside/auth/password",
                                    json={"token": reset, "password": "another one!!"})
    assert reused.status_code == 400
    assert (await mail_client.get("/api/v1/accounts/verify_credentials", headers=bearer(old_token))).status_code == 401
    assert len(smtp.mailbox.messages) == 1  # nothing was sent for the unknown address


async def test_password_reset_token_expires(app, client):
    await member(app, "ivan")
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.email == "ivan@example.org"))).scalar_one()
        token = await issue_token(session, account, "reset")
        await session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    expired = await client.post("/api/v1/curbside/auth/password", json={"token": token, "password": "whatever-long"})
    assert expired.status_code == 400 and "expired" in expired.json()["error"]


async def test_confirmation_resend_issues_a_new_link_and_voids_the_old(mail_app, mail_client, smtp):
    await _mode(mail_app, "open")
    created = await _register(mail_client, await app_token(mail_app), "jo")
    first = link_in(smtp.mailbox.wait_for("jo@example.org")[0], "/confirm/")
    resent = await mail_client.post("/api/v1/emails/confirmations", headers=bearer(created.json()["access_token"]))
    assert resent.status_code == 200
    second = link_in(smtp.mailbox.wait_for("jo@example.org", 2)[1], "/confirm/")
    assert (await mail_client.post("/api/v1/curbside/auth/confirm", json={"token": first})).status_code == 400
    assert (await mail_client.post("/api/v1/curbside/auth/confirm", json={"token": second})).status_code == 200


pytestmark = pytest.mark.anyio


async def test_trusted_verifiers_api_is_for_admins_and_audited(app, client):
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    moderator = (await member(app, "mo", role="moderator", scopes=ALL_SCOPES)).token
    path = "/api/v1/curbside/admin/trusted_verifiers"
    assert (await client.post(path, json={"domain": "x.example"})).status_code == 401
    assert (await client.post(path, json={"domain": "x.example"}, headers=bearer(moderator))).status_code == 403
    added = await client.post(path, json={"domain": "https://Cardio.Example/"}, headers=bearer(admin))
    assert added.status_code == 201 and added.json() == {"domain": "cardio.example"}
    assert (await client.post(path, json={"domain": "not a domain"}, headers=bearer(admin))).status_code == 422
    assert (await client.get(path, headers=bearer(admin))).json() == [{"domain": "cardio.example"}]
    assert (await client.delete(f"{path}/cardio.example", headers=bearer(admin))).status_code == 200
    assert (await client.delete(f"{path}/cardio.example", headers=bearer(admin))).status_code == 404
    assert await _audit(app) == [("root", "settings.trust_verifier", "cardio.example"),
                                 ("root", "settings.untrust_verifier", "cardio.example")]
