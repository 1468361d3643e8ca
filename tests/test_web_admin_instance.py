"""The admin pages, part three (admins only): registrations, invites, roles, disabling accounts; the site's
settings (branding, theme, accent colour, logo) and who may join; the instance API showing the branding;
and the shipped "society" theme overriding some templates and files while the default fills the rest."""
import io
import re

import httpx
from PIL import Image
from sqlalchemy import select

from server.db.models import Account, Invite, WebSession
from server.services.accounts.registration import Registration, register
from server.services.instance import site as site_settings
from server.services.instance.settings import registration_mode, verification_valid_days
from tests.support.members import PASSWORD, member
from tests.support.web import log_in, member_session
from tests.test_web_admin import entries, post


async def account_of(app, username: str) -> Account:
    async with app.state.sessions() as session:
        return (await session.execute(select(Account).where(Account.email == f"{username}@example.org"))).scalar_one()


async def test_web_admin_registrations_are_approved_or_rejected(app, client):
    await member_session(app, client, "boss", role="admin")
    async with app.state.sessions() as session:
        for name in ("wanted", "unwanted"):
            await register(session, app.state.settings, Registration(name, f"{name}@example.org", PASSWORD, True,
                                                                     reason=f"{name} reason"), [])
        await session.commit()
    page = (await client.get("/admin/members")).text
    assert "wanted reason" in page and "unwanted reason" in page
    wanted, unwanted = await account_of(app, "wanted"), await account_of(app, "unwanted")
    assert (await post(client, f"/admin/members/{wanted.actor_id}/approve", "/admin/members")).status_code == 303
    assert (await post(client, f"/admin/members/{unwanted.actor_id}/reject", "/admin/members")).status_code == 303
    assert (await account_of(app, "wanted")).approved_at is not None
    async with app.state.sessions() as session:
        assert (await session.execute(select(Account).where(Account.email == "unwanted@example.org"))).first() is None
    assert [e.target.split("@")[0] for e in await entries(app, "registration.reject")] == ["unwanted"]
    assert [e.details["email"] for e in await entries(app, "registration.approve")] == ["wanted@example.org"]
    twice = await post(client, f"/admin/members/{wanted.actor_id}/approve", "/admin/members")
    assert twice.status_code == 422 and "approved already" in twice.text


async def test_web_admin_invites_are_created_with_limits_and_revoked(app, client):
    await member_session(app, client, "boss", role="admin")
    made = await post(client, "/admin/members/invites", "/admin/members", max_uses="3", expires_in_days="2")
    assert made.status_code == 303
    async with app.state.sessions() as session:
        invite = (await session.execute(select(Invite))).scalar_one()
    assert invite.max_uses == 3 and invite.expires_at is not None
    assert f"/invite/{invite.code}" in (await client.get("/admin/members")).text
    bad = await post(client, "/admin/members/invites", "/admin/members", max_uses="0")
    assert bad.status_code == 422 and "The number of uses must be a number from 1 to 10,000." in bad.text
    assert (await post(client, f"/admin/members/invites/{invite.id}/revoke", "/admin/members")).status_code == 303
    async with app.state.sessions() as session:
        assert (await session.get(Invite, invite.id)).revoked_at is not None
    assert await entries(app, "invite.create") and await entries(app, "invite.revoke")


async def test_web_admin_roles_change_but_never_the_admins_own(app, client):
    await member_session(app, client, "boss", role="admin")
    await member(app, "helper")
    helper, boss = await account_of(app, "helper"), await account_of(app, "boss")
    assert (await post(client, f"/admin/members/{helper.actor_id}/role", "/admin/members",
                       role="moderator")).status_code == 303
    assert (await account_of(app, "helper")).role == "moderator"
    [entry] = await entries(app, "account.role")
    assert entry.details == {"before": "member", "after": "moderator"}
    own = await post(client, f"/admin/members/{boss.actor_id}/role", "/admin/members", role="member")
    assert own.status_code == 403 and "your own account" in own.text and (await account_of(app, "boss")).role == "admin"
    odd = await post(client, f"/admin/members/{helper.actor_id}/role", "/admin/members", role="owner")
    assert odd.status_code == 422


async def test_web_admin_disabled_member_is_logged_out_and_enabled_again(app, client):
    await member_session(app, client, "boss", role="admin")
    await member(app, "carl")
    carl = await account_of(app, "carl")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=client.base_url) as carls:
        assert (await log_in(carls, "carl")).status_code == 303
        assert (await post(client, f"/admin/members/{carl.actor_id}/disable", "/admin/members")).status_code == 303
        assert (await carls.get("/admin")).headers["location"].startswith("/login")  # the session is gone
        async with app.state.sessions() as session:
            assert not (await session.execute(select(WebSession).where(WebSession.account_id == carl.id))).first()
        assert (await log_in(carls, "carl")).status_code == 400
        assert (await post(client, f"/admin/members/{carl.actor_id}/enable", "/admin/members")).status_code == 303
        assert (await log_in(carls, "carl")).status_code == 303
    assert await entries(app, "account.disable") and await entries(app, "account.enable")


def _png(color=(200, 30, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


async def _site(app):
    async with app.state.sessions() as session:
        return await site_settings.load(session, app.state.settings)


async def test_web_admin_settings_change_the_branding_and_the_instance_api(app, client):
    await member_session(app, client, "boss", role="admin")
    form = {"title": "Society of Cardiology", "description": "Cases and journal club.", "rules": "Be kind\n\nNo ads\n",
            "theme": "society", "accent_choice": "custom", "accent_color": "#7a1f5c", "public_timelines": "on",
            "privacy_policy": "We keep posts and credentials only."}
    page = await client.get("/admin/settings")
    saved = await client.post("/admin/settings", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', page.text).group(1), **form},
        files={"logo": ("logo.png", _png(), "image/png")})
    assert saved.status_code == 303, saved.text
    site = await _site(app)
    assert (site.title, site.description, site.rules, site.theme, site.accent_color, site.public_timelines) == \
        ("Society of Cardiology", "Cases and journal club.", ("Be kind", "No ads"), "society", "#7a1f5c", True)
    logo = await client.get(site.logo_url.replace(app.state.settings.base_url, ""))
    assert logo.status_code == 200 and Image.open(io.BytesIO(logo.content)).size == (640, 160)
    assert set(sum((e.target.split(", ") for e in await entries(app, "site.update")), [])) >= \
        {"site_title", "theme", "accent_color", "logo_url"}
    v1, v2 = (await client.get("/api/v1/instance")).json(), (await client.get("/api/v2/instance")).json()
    assert v1["title"] == v2["title"] == "Society of Cardiology"
    assert v1["description"] == v2["description"] == "Cases and journal club."
    assert [r["text"] for r in v2["rules"]] == ["Be kind", "No ads"] and v2["thumbnail"]["url"] == site.logo_url
    policy = (await client.get("/api/v1/instance/privacy_policy")).json()
    assert "We keep posts and credentials only." in policy["content"]


async def test_web_admin_settings_refuse_an_unreadable_accent_and_change_nothing(app, client):
    await member_session(app, client, "boss", role="admin")
    refused = await post(client, "/admin/settings", "/admin/settings", title="New name", theme="default",
                         accent_choice="custom", accent_color="#ffee00")
    assert refused.status_code == 422 and "too light" in refused.text and "4.5:1" in refused.text
    assert 'value="New name"' in refused.text  # the form keeps what was typed
    site = await _site(app)
    assert site.title == "Test Society" and site.accent_color is None
    assert "--accent" not in (await client.get("/theme.css")).text  # the theme's own colour
    unknown = await post(client, "/admin/settings", "/admin/settings", title="x", theme="nope")
    assert unknown.status_code == 422 and "Unknown theme" in unknown.text


async def test_web_admin_registration_settings_are_saved_and_audited(app, client):
    await member_session(app, client, "boss", role="admin")
    saved = await post(client, "/admin/settings/joining", "/admin/settings", registration_mode="invite",
                       verification_valid_days="180", evidence_retention_days="0")
    assert saved.status_code == 303
    async with app.state.sessions() as session:
        assert await registration_mode(session, app.state.settings) == "invite"
        assert await verification_valid_days(session, app.state.settings) == 180
    [entry] = await entries(app, "settings.update")
    assert entry.details["registration_mode"]["after"] == "invite"
    bad = await post(client, "/admin/settings/joining", "/admin/settings", registration_mode="invite",
                     verification_valid_days="0", evidence_retention_days="0")
    assert bad.status_code == 422 and "above zero" in bad.text


async def test_web_theme_society_overrides_some_files_and_the_default_fills_the_rest(app, client):
    async with app.state.sessions() as session:
        await site_settings.update(session, app.state.themes.available(), theme="society", by="test")
        await session.commit()
    front = (await client.get("/")).text
    assert "society-hero" in front and 'href="/static/society.css"' in front and "/static/style.css" in front
    assert (await client.get("/static/society.css")).status_code == 200
    assert (await client.get("/static/app.js")).status_code == 200  # not in the theme: the default's
    login = (await client.get("/login")).text  # not in the theme: the default's template, society's look
    assert 'action="/login"' in login and "/static/society.css" in login
    await member_session(app, client, "boss", role="admin")
    assert "/static/society.css" in (await client.get("/admin")).text
