"""Announcements: admins announce from the command line or the admin pages; members read them in their apps
(GET /api/v1/announcements), dismiss them and react; a new one is streamed to members' `user` streams."""
import json
from datetime import timedelta

import anyio

from server.cli.main import main as curbside
from server.db.types import utcnow
from server.services.instance import announcements, site
from tests.support.api import check_auth
from tests.support.asgi_streams import EventStream
from tests.support.members import member, token
from tests.support.web import member_session
from tests.test_web_admin import entries, post

ENTITY_FIELDS = {"id", "content", "starts_at", "ends_at", "published", "all_day", "published_at", "updated_at", "read",
                 "mentions", "statuses", "tags", "emojis", "reactions"}


async def _announce(app, text: str, **when) -> str:
    async with app.state.sessions() as session:
        row = await announcements.create(session, text, by="test", **when)
        await session.commit()
        return str(row.id)


async def _listed(client, who, **params) -> list[dict]:
    response = await client.get("/api/v1/announcements", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_announcements_shown_in_force_dismissed_and_reacted_to(app, client, alice, bob):
    now = utcnow()
    shown = await _announce(app, "The annual meeting is on 12 March")
    await _announce(app, "Not yet", starts_at=now + timedelta(days=1))
    await _announce(app, "Over", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    [entity] = await _listed(client, alice)
    assert set(entity) == ENTITY_FIELDS and entity["id"] == shown and entity["read"] is False
    assert entity["content"] == "<p>The annual meeting is on 12 March</p>"
    for who in (alice, bob):
        reacted = await client.put(f"/api/v1/announcements/{shown}/reactions/👍", headers=who.headers)
        assert reacted.status_code == 200, reacted.text
    await client.put(f"/api/v1/announcements/{shown}/reactions/👩‍⚕️", headers=alice.headers)
    reactions = (await _listed(client, bob))[0]["reactions"]
    assert sorted((r["name"], r["count"], r["me"]) for r in reactions) == [("👍", 2, True), ("👩‍⚕️", 1, False)]
    await client.delete(f"/api/v1/announcements/{shown}/reactions/👍", headers=bob.headers)
    assert [(r["name"], r["count"], r["me"]) for r in (await _listed(client, bob))[0]["reactions"]
            if r["name"] == "👍"] == [("👍", 1, False)]
    assert (await client.post(f"/api/v1/announcements/{shown}/dismiss", headers=alice.headers)).status_code == 200
    assert await _listed(client, alice) == []
    assert [a["read"] for a in await _listed(client, alice, with_dismissed="true")] == [True]
    assert [a["read"] for a in await _listed(client, bob)] == [False]  # dismissed for alice alone


async def test_announcements_refuse_what_is_not_there_or_not_an_emoji(app, client, alice):
    shown = await _announce(app, "Hello")
    later = await _announce(app, "Later", starts_at=utcnow() + timedelta(hours=1))
    for name in ("smile", ":blobcat:", "a👍", "👍" * 17):
        refused = await client.put(f"/api/v1/announcements/{shown}/reactions/{name}", headers=alice.headers)
        assert refused.status_code == 422, name
    assert (await client.post(f"/api/v1/announcements/{later}/dismiss", headers=alice.headers)).status_code == 404
    assert (await client.put(f"/api/v1/announcements/{later}/reactions/👍", headers=alice.headers)).status_code == 404
    assert (await client.post("/api/v1/announcements/99/dismiss", headers=alice.headers)).status_code == 404
    assert (await client.post("/api/v1/announcements/x/dismiss", headers=alice.headers)).status_code == 404


async def test_announcements_need_a_member_token(app, client, alice):
    await check_auth(client, "GET", "/api/v1/announcements", await token(app, alice, "profile"))
    await check_auth(client, "POST", "/api/v1/announcements/1/dismiss", await token(app, alice, "read"))
    await check_auth(client, "PUT", "/api/v1/announcements/1/reactions/x", await token(app, alice, "read"))


async def test_announcements_new_one_is_streamed_and_its_deletion_too(app, client, alice):
    async with EventStream(app, "/api/v1/streaming/user", alice.token) as stream:
        shown = await _announce(app, "Streamed")
        event, data = await stream.next()
        assert event == "announcement" and json.loads(data)["id"] == shown and "Streamed" in json.loads(data)["content"]
        async with app.state.sessions() as session:
            await announcements.remove(session, int(shown), by="test")
            await session.commit()
        assert await stream.next() == ("announcement.delete", shown)


async def test_announcements_cli_create_list_delete(app, client, alice, settings, monkeypatch, capsys):
    for name, value in (("CURBSIDE_DATA_DIR", str(settings.data_dir)), ("CURBSIDE_DATABASE_URL", settings.database_url),
                        ("CURBSIDE_DOMAIN", settings.domain)):
        monkeypatch.setenv(name, value)

    async def run(*args: str) -> int:
        return await anyio.to_thread.run_sync(curbside, list(args))

    assert await run("announcements", "create", "Journal club moves to Thursday", "--ends-at", "2999-01-01") == 0
    made = capsys.readouterr().out.split()[-1]
    assert [a["id"] for a in await _listed(client, alice)] == [made]
    assert await run("announcements", "create", "Backwards", "--starts-at", "2999-01-02", "--ends-at",
                     "2999-01-01") == 1
    assert "must end after it starts" in capsys.readouterr().err
    assert await run("announcements", "create", "x", "--starts-at", "next week") == 1
    assert await run("announcements", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].startswith(made) and "2999-01-01 00:00" in listed[1] and "Journal club" in listed[1]
    assert await run("announcements", "delete", made) == 0
    assert await _listed(client, alice) == []
    assert await run("announcements", "delete", made) == 1
    assert "no such announcement" in capsys.readouterr().err


async def test_announcements_admin_page_in_both_themes(app, client, alice):
    await member_session(app, client, "boss", role="admin")
    for theme in ("default", "society"):
        async with app.state.sessions() as session:
            await site.update(session, app.state.themes.available(), theme=theme)
            await session.commit()
        made = await post(client, "/admin/announcements", "/admin/announcements", text=f"Hello from {theme}",
                          starts_at="", ends_at="2999-01-01T09:00")
        assert made.status_code == 303
        page = await client.get("/admin/announcements")
        assert page.status_code == 200 and f"Hello from {theme}" in page.text and "1/1/2999 09:00" in page.text
    assert [a["content"] for a in await _listed(client, alice)] == ["<p>Hello from society</p>",
                                                                     "<p>Hello from default</p>"]
    refused = await post(client, "/admin/announcements", "/admin/announcements", text="", ends_at="")
    assert refused.status_code == 422 and "needs a text" in refused.text
    first = (await _listed(client, alice))[0]["id"]
    assert (await post(client, f"/admin/announcements/{first}/delete", "/admin/announcements")).status_code == 303
    assert len(await _listed(client, alice)) == 1
    assert [e.action for e in await entries(app, "announcement.delete")] == ["announcement.delete"]


async def test_announcements_admin_page_is_for_admins(app, client):
    await member(app, "boss", role="admin")
    await member_session(app, client, "mod", role="moderator")
    assert (await client.get("/admin/announcements")).status_code in (403, 404)
