"""Replies in a members-only thread keep the narrower audience their author chose and never leave the
instance: followers-only stays with the author's local followers (and the mentioned, as on Mastodon),
direct with the mentioned members; wider choices become members-only. The same after a moderator approves
a held reply, after edits and boosts."""
import json

import pytest
from sqlalchemy import select

from server.db.models import Delivery, Post
from server.services.accounts.exports import export_outbox
from server.services.instance.settings import set_phi_policy
from tests.support import factories
from tests.support.members import member

PHI = "Pt John Smith, DOB 03/14/1961, MRN 4482913"
QUEUE = "/api/v1/curbside/admin/held_statuses"


@pytest.fixture
async def world(app, client):
    """alice started a members-only thread; carol replies in it; dan (local) and remi (remote) follow carol
    and dan; erin is a member who follows nobody; rosa is a remote account."""
    people = {name: await member(app, name) for name in ("alice", "carol", "dan", "erin")}
    mod = await member(app, "mod", role="moderator", scopes="read write admin:read admin:write")
    async with app.state.sessions() as session:
        remi = await factories.remote_actor(session, "remi")
        await factories.remote_actor(session, "rosa")
        await factories.follow(session, people["dan"].actor, people["carol"].actor)
        await factories.follow(session, remi, people["carol"].actor)
        await factories.follow(session, remi, people["dan"].actor)
        await session.commit()
    world = {name: who.headers for name, who in people.items()} | {"mod": mod.headers, "remi": remi}
    world["root"] = await status(client, world["alice"], "Ward handover moves to 7:30", visibility="local")
    return world


async def status(client, headers, text: str, expect: int = 200, **extra) -> dict:
    response = await client.post("/api/v1/statuses", json={"status": text, **extra}, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def reply(client, world, who: str, text: str, visibility: str, to: dict | None = None, **extra) -> dict:
    parent = to or world["root"]
    return await status(client, world[who], text, visibility=visibility, in_reply_to_id=parent["id"], **extra)


async def seen_by(client, world, entity: dict) -> set[str]:
    """The members who may GET the status."""
    return {name for name in ("alice", "carol", "dan", "erin")
            if (await client.get(f"/api/v1/statuses/{entity['id']}", headers=world[name])).status_code == 200}


async def ids(client, path: str, headers: dict, **params) -> list[str]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def deliveries(app) -> list[dict]:
    async with app.state.sessions() as session:
        return [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]


async def stored(app, entity: dict) -> Post:
    async with app.state.sessions() as session:
        return await session.get(Post, int(entity["id"]))


async def test_reply_audience_followers_only_reply_stays_with_local_followers(app, client, world):
    answer = await reply(client, world, "carol", "I can cover nights", "private")
    assert answer["visibility"] == "private" and (await stored(app, answer)).local_only
    assert await seen_by(client, world, answer) == {"carol", "dan", "alice"}  # alice: mentioned, as replied to
    local = await ids(client, "/api/v1/timelines/public", world["erin"], local="true")
    assert world["root"]["id"] in local and answer["id"] not in local
    assert answer["id"] not in await ids(client, "/api/v1/timelines/public", world["dan"], local="true")
    assert answer["id"] in await ids(client, "/api/v1/timelines/home", world["dan"])
    assert answer["id"] not in await ids(client, "/api/v1/timelines/home", world["erin"])
    context = f"/api/v1/statuses/{world['root']['id']}/context"
    assert (await client.get(context, headers=world["erin"])).json()["descendants"] == []
    assert [s["id"] for s in (await client.get(context, headers=world["dan"])).json()["descendants"]] == [answer["id"]]
    assert await deliveries(app) == []  # remi follows carol, but the thread never leaves the instance
    fetched = await client.get(answer["uri"], headers=factories.signed_headers(answer["uri"], world["remi"]))
    assert fetched.status_code == 404


async def test_reply_audience_direct_reply_stays_with_the_mentioned(app, client, world):
    message = await reply(client, world, "carol", "@dan are you free to swap?", "direct")
    assert message["visibility"] == "direct"
    assert await seen_by(client, world, message) == {"carol", "dan", "alice"}  # alice: the author replied to
    assert message["id"] not in await ids(client, "/api/v1/timelines/public", world["erin"], local="true")
    conversations = (await client.get("/api/v1/conversations", headers=world["dan"])).json()
    assert [c["last_status"]["id"] for c in conversations] == [message["id"]]
    assert (await client.get("/api/v1/conversations", headers=world["erin"])).json() == []
    assert await deliveries(app) == []


async def test_reply_audience_direct_reply_to_someone_remote_is_refused(app, client, world):
    refused = await reply(client, world, "carol", "@rosa@remote.example see this", "direct", expect=422)
    assert "members-only" in refused["error"] and "rosa@remote.example" in refused["error"]
    async with app.state.sessions() as session:
        below_root = select(Post.id).where(Post.in_reply_to_id == int(world["root"]["id"]))
        assert (await session.execute(below_root)).first() is None
    # followers-only may name a remote colleague: the link is kept, the post stays here
    named = await reply(client, world, "carol", "@rosa@remote.example wrote on this", "private")
    assert named["visibility"] == "private" and await deliveries(app) == []


async def test_reply_audience_wider_choices_become_members_only_down_the_thread(app, client, world):
    answer = await reply(client, world, "carol", "I can cover nights", "private")
    below = await reply(client, world, "dan", "thanks!", "public", to=answer)
    assert below["visibility"] == "local" and (await stored(app, below)).local_only
    assert await seen_by(client, world, below) == {"alice", "carol", "dan", "erin"}
    assert await deliveries(app) == []  # remi follows dan too


async def test_reply_audience_held_reply_is_published_with_the_narrower_audience(app, client, world):
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    held = await reply(client, world, "carol", f"Re bed 4: {PHI}", "private")
    assert held["curbside"]["held"] is True
    [item] = (await client.get(QUEUE, headers=world["mod"])).json()
    approved = await client.post(f"{QUEUE}/{item['id']}/approve", headers=world["mod"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["visibility"] == "private"
    assert await seen_by(client, world, held) == {"carol", "dan", "alice"}
    assert await deliveries(app) == []


async def test_reply_audience_edits_and_boosts_do_not_widen(app, client, world):
    answer = await reply(client, world, "carol", "I can cover nights", "private")
    wider = {"status": "I can cover nights and Sunday", "visibility": "public"}
    edited = await client.put(f"/api/v1/statuses/{answer['id']}", json=wider, headers=world["carol"])
    assert edited.status_code == 200 and edited.json()["visibility"] == "private"
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    kept = await client.put(f"/api/v1/statuses/{answer['id']}", json={"status": f"covering {PHI}"},
                            headers=world["carol"])
    assert kept.status_code == 200, kept.text
    [item] = (await client.get(QUEUE, headers=world["mod"])).json()
    assert (await client.post(f"{QUEUE}/{item['id']}/approve", headers=world["mod"])).status_code == 200
    assert await seen_by(client, world, answer) == {"carol", "dan", "alice"}
    boosted = await client.post(f"/api/v1/statuses/{answer['id']}/reblog", headers=world["carol"])
    assert boosted.status_code == 200, boosted.text
    assert await deliveries(app) == []  # no Update, no Announce: remi follows carol


async def test_reply_audience_archive_keeps_the_reply_addressed_to_nobody(app, client, world):
    answer = await reply(client, world, "carol", "I can cover nights", "private")
    async with app.state.sessions() as session:
        carol = (await session.get(Post, int(answer["id"]))).author
        outbox = await export_outbox(session, carol, app.state.urls)
    [create] = outbox["orderedItems"]
    assert (create["object"]["id"], create["to"], create["object"]["to"]) == (answer["uri"], [], [])
