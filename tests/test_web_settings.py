"""Settings pages: the profile (public and professional, pictures, fields), privacy, the account (password,
sessions), blocks and mutes, and the data export."""
import csv
import io
import json

import httpx
from sqlalchemy import select

from server.db.models import Actor, Block, Delivery, Follow, MemberProfile, Mute, OAuthToken, WebSession
from server.services.accounts.members import find_local_actor
from server.services.social import blocks_and_mutes as members
from tests.support import factories
from tests.support.images import plain
from tests.support.members import PASSWORD
from tests.support.web import csrf_of, log_in, member_session


async def _me(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        return await find_local_actor(session, app.state.settings.domain, username)


async def _remote_follower(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        me = await find_local_actor(session, app.state.settings.domain, username)
        them = await factories.remote_actor(session, "watcher")
        session.add(Follow(follower_id=them.id, followed_id=me.id, state="accepted", uri=f"{them.uri}/follows/1"))
        await session.commit()
        return them


async def _profile_form(client, **changes) -> dict:
    page = await client.get("/settings/profile")
    assert page.status_code == 200
    return {"csrf_token": csrf_of(page.text), "display_name": "Dr Ada", "note": "Cardiologist. #echo",
            "field_name_0": "Clinic", "field_value_0": "https://clinic.example", "real_name": "Ada Lovelace",
            "profession": "physician", "specialty": "207RC0000X", "institution": "St Elsewhere",
            "jurisdiction": "GB", **changes}


async def test_web_settings_profile_saves_both_profiles_and_tells_followers(app, client):
    await member_session(app, client, "ada")
    await _remote_follower(app, "ada")
    saved = await client.post("/settings/profile", data=await _profile_form(client), files={
        "avatar": ("me.png", plain("PNG", (300, 300)), "image/png")})
    assert saved.status_code == 303 and saved.headers["location"] == "/settings/profile?notice=saved"
    actor = await _me(app, "ada")
    assert actor.display_name == "Dr Ada" and actor.summary_source == "Cardiologist. #echo"
    assert "/tags/echo" in actor.summary and actor.icon_url.startswith(app.state.settings.base_url + "/media/")
    assert [(f["name"], f["source"]) for f in actor.fields] == [("Clinic", "https://clinic.example")]
    async with app.state.sessions() as session:
        profile = await session.get(MemberProfile, actor.id)
        updates = (await session.execute(select(Delivery.body))).scalars().all()
    assert (profile.real_name, profile.specialty_code, profile.institution, profile.jurisdiction) == \
        ("Ada Lovelace", "207RC0000X", "St Elsewhere", "GB")
    assert len(updates) == 1 and json.loads(updates[0])["type"] == "Update"
    page = await client.get("/settings/profile?notice=saved")
    assert "Your changes are saved." in page.text and 'value="St Elsewhere"' in page.text
    assert '<option value="207RC0000X" selected>' in page.text


async def test_web_settings_profile_refusal_changes_nothing(app, client):
    await member_session(app, client, "bea")
    bad = await client.post("/settings/profile", data=await _profile_form(client, jurisdiction="Narnia"))
    assert bad.status_code == 422 and "jurisdiction must be a country code" in bad.text.lower()
    assert 'value="Dr Ada"' not in bad.text  # the page shows what is stored
    not_an_image = await client.post("/settings/profile", data=await _profile_form(client), files={
        "header": ("x.png", b"not an image at all", "image/png")})
    assert not_an_image.status_code == 422
    actor = await _me(app, "bea")
    async with app.state.sessions() as session:
        profile = await session.get(MemberProfile, actor.id)
    assert actor.display_name == "bea" and actor.header_url is None and (profile is None or not profile.jurisdiction)


async def test_web_settings_privacy_toggles_locked_and_discoverable(app, client):
    await member_session(app, client, "cy")
    page = await client.get("/settings/privacy")
    saved = await client.post("/settings/privacy", data={"csrf_token": csrf_of(page.text), "locked": "on",
                                                         "indexable": "on"})
    assert saved.status_code == 303
    actor = await _me(app, "cy")
    assert actor.manually_approves is True and actor.discoverable is False and actor.indexable is True
    assert 'id="f-locked" name="locked" checked' in (await client.get("/settings/privacy")).text


async def test_web_settings_password_change_ends_other_sessions_and_apps(app, client):
    await member_session(app, client, "dee")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url) as phone:
        assert (await log_in(phone, "dee")).status_code == 303
        page = await client.get("/settings/account")
        assert "dee@example.org" in page.text and page.text.count("<tr>") == 3  # header + two sessions
        form = {"csrf_token": csrf_of(page.text), "current_password": "wrong password!",
                "password": "a new long password", "password_confirmation": "a new long password"}
        wrong = await client.post("/settings/account/password", data=form)
        assert wrong.status_code == 422 and "current password is not right" in wrong.text
        done = await client.post("/settings/account/password", data={**form, "current_password": PASSWORD})
        assert done.status_code == 303
        assert (await client.get("/settings/account")).status_code == 200  # this browser stays
        assert (await phone.get("/settings/account")).status_code == 303  # the other is logged out
        assert (await log_in(phone, "dee", "a new long password")).status_code == 303
    async with app.state.sessions() as session:
        assert all(t.revoked_at for t in (await session.execute(select(OAuthToken))).scalars())


async def test_web_settings_sessions_end_one_or_all(app, client):
    await member_session(app, client, "eve")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url) as other:
        await log_in(other, "eve")
        async with app.state.sessions() as session:
            rows = (await session.execute(select(WebSession).order_by(WebSession.id))).scalars().all()
        token = csrf_of((await client.get("/settings/account")).text)
        ended = await client.post("/settings/account/sessions/end", data={"csrf_token": token,
                                                                          "session_id": str(rows[1].id)})
        assert ended.status_code == 303 and (await other.get("/settings/account")).status_code == 303
        await log_in(other, "eve")
        everywhere = await client.post("/settings/account/sessions/end_all", data={"csrf_token": token})
        assert everywhere.status_code == 303 and everywhere.headers["location"] == "/login"
        assert (await client.get("/settings/account")).status_code == 303
        assert (await other.get("/settings/account")).status_code == 303


async def test_web_settings_blocks_lists_and_undoes(app, client):
    await member_session(app, client, "fay")
    async with app.state.sessions() as session:
        me = await find_local_actor(session, app.state.settings.domain, "fay")
        troll, noisy = await factories.remote_actor(session, "troll"), await factories.remote_actor(session, "noisy")
        await members.block(app.state.runtime, session, me, troll)
        await members.mute(session, me, noisy)
        await members.block_domain(app.state.runtime, session, me, "spam.example")
        await session.commit()
    page = await client.get("/settings/blocks")
    assert "troll@remote.example" in page.text and "noisy@remote.example" in page.text and "spam.example" in page.text
    token = csrf_of(page.text)
    assert (await client.post("/settings/blocks/unblock", data={"csrf_token": token, "account_id": str(troll.id)})
            ).status_code == 303
    await client.post("/settings/blocks/unmute", data={"csrf_token": token, "account_id": str(noisy.id)})
    await client.post("/settings/blocks/domains/remove", data={"csrf_token": token, "domain": "spam.example"})
    bad = await client.post("/settings/blocks/domains", data={"csrf_token": token, "domain": "curbside.test"})
    assert bad.status_code == 422 and "your own instance" in bad.text
    await client.post("/settings/blocks/domains", data={"csrf_token": token, "domain": "Junk.Example"})
    async with app.state.sessions() as session:
        assert (await session.execute(select(Block))).first() is None
        assert (await session.execute(select(Mute))).first() is None
        assert [b.domain for b in await members.blocked_domains(session, me)] == ["junk.example"]
        undo = json.loads((await session.execute(select(Delivery.body).where(Delivery.inbox == troll.inbox)
                                                  .order_by(Delivery.id.desc()))).scalars().first())
    assert undo["type"] == "Undo" and undo["object"]["type"] == "Block"


async def test_web_settings_export_gives_mastodon_csvs_and_an_outbox(app, client):
    await member_session(app, client, "gil")
    async with app.state.sessions() as session:
        me = await find_local_actor(session, app.state.settings.domain, "gil")
        friend, pest = await factories.remote_actor(session, "friend"), await factories.remote_actor(session, "pest")
        session.add(Follow(follower_id=me.id, followed_id=friend.id, state="accepted", uri=f"{me.uri}/follows/1",
                           notify=True))
        await members.mute(session, me, pest, notifications=True)
        await factories.post(session, app.state.urls, me, "public", content="<p>open post</p>")
        await factories.post(session, app.state.urls, me, "local", content="<p>members only</p>")
        other = await factories.member(session, app.state.urls, app.state.settings.domain, "other")
        await factories.post(session, app.state.urls, other, "public", content="<p>not mine</p>")
        await session.commit()
    following = await client.get("/settings/export/following")
    assert following.status_code == 200 and "following_accounts.csv" in following.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(following.text)))
    assert rows == [["Account address", "Show boosts", "Notify on new posts", "Languages"],
                    ["friend@remote.example", "true", "true", ""]]
    mutes = list(csv.reader(io.StringIO((await client.get("/settings/export/mutes")).text)))
    assert mutes[1] == ["pest@remote.example", "true"]
    outbox = (await client.get("/settings/export/outbox")).json()
    contents = [item["object"]["content"] for item in outbox["orderedItems"]]
    assert outbox["type"] == "OrderedCollection" and contents == ["<p>open post</p>", "<p>members only</p>"]
    assert outbox["orderedItems"][1]["to"] == [] and outbox["orderedItems"][1]["object"]["cc"] == []
    assert (await client.get("/settings/export/secrets")).status_code == 404
