"""Conversation mutes (POST /api/v1/statuses/:id/mute|unmute): no notifications from a muted thread, `muted` on
its statuses for the muter alone; and a boost answered with `reblogged: true` on the outer status too."""
from server.db.models import Post
from server.db.types import utcnow
from server.services.posts import poll_closing
from tests.support.api import check_auth, status
from tests.support.members import member, token


async def _kinds(client, who) -> list[str]:
    return sorted(n["type"] for n in (await client.get("/api/v1/notifications", headers=who.headers)).json())


async def test_api_conversation_mute_stops_notifications_from_the_thread(app, client, alice, bob):
    carol = await member(app, "carol")
    root = await status(client, alice, "Journal club: which statin?")
    reply = await status(client, bob, "@alice rosuvastatin", in_reply_to_id=root["id"])
    assert await _kinds(client, alice) == ["mention"]
    muted = await client.post(f"/api/v1/statuses/{reply['id']}/mute", headers=alice.headers)  # any post of it
    assert muted.status_code == 200 and muted.json()["muted"] is True and muted.json()["id"] == reply["id"]
    await status(client, carol, "@alice atorvastatin", in_reply_to_id=reply["id"])
    await client.post(f"/api/v1/statuses/{root['id']}/favourite", headers=carol.headers)
    await client.post(f"/api/v1/statuses/{root['id']}/reblog", headers=bob.headers)
    assert await _kinds(client, alice) == ["mention"]
    await status(client, carol, "@alice another thread")
    assert await _kinds(client, alice) == ["mention", "mention"]
    assert (await client.post(f"/api/v1/statuses/{root['id']}/unmute", headers=alice.headers)).json()["muted"] is False
    await status(client, carol, "@alice pitavastatin", in_reply_to_id=root["id"])
    assert await _kinds(client, alice) == ["mention", "mention", "mention"]


async def test_api_conversation_mute_shows_as_muted_to_the_muter_alone(app, client, alice, bob):
    root = await status(client, alice, "a thread")
    reply = await status(client, bob, "a reply", in_reply_to_id=root["id"])
    other = await status(client, alice, "another thread")
    await client.post(f"/api/v1/statuses/{root['id']}/mute", headers=alice.headers)
    home = {s["id"]: s["muted"] for s in (await client.get("/api/v1/timelines/home", headers=alice.headers)).json()}
    assert home[root["id"]] is True and home[other["id"]] is False
    context = (await client.get(f"/api/v1/statuses/{root['id']}/context", headers=alice.headers)).json()
    assert [s["muted"] for s in context["descendants"]] == [True]
    assert (await client.get(f"/api/v1/statuses/{reply['id']}", headers=alice.headers)).json()["muted"] is True
    assert (await client.get(f"/api/v1/statuses/{reply['id']}", headers=bob.headers)).json()["muted"] is False
    boost = (await client.post(f"/api/v1/statuses/{root['id']}/reblog", headers=bob.headers)).json()
    shown = (await client.get(f"/api/v1/statuses/{boost['id']}", headers=alice.headers)).json()
    assert shown["muted"] is False and shown["reblog"]["muted"] is True  # the boost is no post of the thread


async def test_api_conversation_mute_needs_a_visible_status_and_the_scope(app, client, alice, bob):
    private = await status(client, alice, "followers only", visibility="private")
    assert (await client.post(f"/api/v1/statuses/{private['id']}/mute", headers=bob.headers)).status_code == 404
    assert (await client.post("/api/v1/statuses/99999999/mute", headers=bob.headers)).status_code == 404
    public = await status(client, alice, "public")
    await check_auth(client, "POST", f"/api/v1/statuses/{public['id']}/mute", await token(app, bob, "read"))


async def test_api_reblog_answers_reblogged_on_the_boost_itself(client, alice, bob):
    post = await status(client, alice, "worth sharing")
    boost = (await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=bob.headers)).json()
    assert boost["reblog"]["id"] == post["id"]
    assert (boost["reblogged"], boost["reblog"]["reblogged"]) == (True, True)
    shown = (await client.get(f"/api/v1/statuses/{boost['id']}", headers=bob.headers)).json()
    assert shown["reblogged"] is True
    assert (await client.get(f"/api/v1/statuses/{boost['id']}", headers=alice.headers)).json()["reblogged"] is False


async def test_api_conversation_mute_stops_the_poll_ended_notification(app, client, alice, bob):
    poll = await status(client, alice, "How long?", poll={"options": ["3 months", "6 months"], "expires_in": 3600})
    for voter in (alice, bob):
        await client.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": [0]}, headers=voter.headers)
    await client.post(f"/api/v1/statuses/{poll['id']}/mute", headers=bob.headers)
    async with app.state.sessions() as session:
        await poll_closing.close_poll(app.state.runtime, session, await session.get(Post, int(poll["id"])), utcnow())
        await session.commit()
    assert await _kinds(client, alice) == ["poll"]
    assert await _kinds(client, bob) == []
