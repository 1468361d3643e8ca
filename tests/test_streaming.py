"""The streaming API: server-sent events and WebSocket, fed by events written with each change, and only
ever carrying what the subscriber may see."""
import asyncio
import json

import pytest

from server.db.engine import make_engine, make_sessionmaker
from server.db.models import Actor
from server.services.posts.authoring import NewPost, create_post
from server.streaming.routing import public_match
from server.streaming.subscribers import Stream, Subscriber
from tests.support import factories
from tests.support.asgi_streams import EventStream, WebSocketStream
from tests.support.members import member
from tests.support.members import token as another_token


@pytest.fixture
async def people(app):
    """alice follows bob; carol follows nobody. Each has a token to read, write and follow."""
    found = {name: await member(app, name) for name in ("alice", "bob", "carol")}
    async with app.state.sessions() as session:
        await factories.follow(session, found["alice"].actor, found["bob"].actor)
        await session.commit()
    return {"members": found, "actors": {name: who.actor for name, who in found.items()},
            "tokens": {name: who.token for name, who in found.items()}}


async def post(client, token: str, text: str, **fields) -> dict:
    response = await client.post("/api/v1/statuses", json={"status": text, **fields},
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_streaming_user_gets_home_updates_and_notifications(app, client, people):
    tokens = people["tokens"]
    async with EventStream(app, "/api/v1/streaming/user", tokens["alice"]) as stream:
        assert stream.status == 200 and stream.headers["content-type"].startswith("text/event-stream")
        status = await post(client, tokens["bob"], "Grand rounds at noon @alice")
        seen = [await stream.next(), await stream.next()]
    kinds = {event: json.loads(data) for event, data in seen}
    assert set(kinds) == {"update", "notification"}
    assert kinds["update"]["id"] == status["id"] and "Grand rounds" in kinds["update"]["content"]
    assert kinds["update"]["account"]["username"] == "bob"
    assert kinds["notification"]["type"] == "mention" and kinds["notification"]["status"]["id"] == status["id"]


async def test_streaming_never_carries_what_the_viewer_may_not_see(app, client, people):
    tokens = people["tokens"]
    async with EventStream(app, "/api/v1/streaming/user", tokens["carol"]) as home, \
            EventStream(app, "/api/v1/streaming/public", tokens["carol"]) as public:
        await post(client, tokens["bob"], "followers only", visibility="private")
        await post(client, tokens["bob"], "@alice direct", visibility="direct")
        await post(client, tokens["bob"], "unlisted", visibility="unlisted")
        boosted = await post(client, tokens["alice"], "public one")
        await client.post(f"/api/v1/statuses/{boosted['id']}/reblog",
                          headers={"Authorization": f"Bearer {tokens['bob']}"})
        members = await post(client, tokens["bob"], "members only", visibility="local")
        marker = await post(client, tokens["carol"], "carol's own")
        # carol's home has only her own post; the public stream has public and members-only originals, no boosts
        assert json.loads((await home.next())[1])["id"] == marker["id"]
        public_ids = [json.loads((await public.next())[1])["id"] for _ in range(3)]
    assert public_ids == [boosted["id"], members["id"], marker["id"]]


async def test_streaming_edits_and_deletes_reach_those_who_saw_the_post(app, client, people):
    tokens = people["tokens"]
    private = await post(client, tokens["bob"], "followers only", visibility="private")
    public = await post(client, tokens["bob"], "to be edited")
    async with EventStream(app, "/api/v1/streaming/user", tokens["alice"]) as alice, \
            EventStream(app, "/api/v1/streaming/public", tokens["carol"]) as carol:
        headers = {"Authorization": f"Bearer {tokens['bob']}"}
        edited = await client.put(f"/api/v1/statuses/{public['id']}", json={"status": "edited now"}, headers=headers)
        assert edited.status_code == 200
        assert (await client.delete(f"/api/v1/statuses/{private['id']}", headers=headers)).status_code == 200
        assert (await client.delete(f"/api/v1/statuses/{public['id']}", headers=headers)).status_code == 200
        alice_events = [await alice.next() for _ in range(3)]
        carol_events = [await carol.next() for _ in range(2)]
    assert alice_events[0][0] == "status.update" and "edited now" in json.loads(alice_events[0][1])["content"]
    assert alice_events[1:] == [("delete", private["id"]), ("delete", public["id"])]
    assert carol_events[0][0] == "status.update" and carol_events[1] == ("delete", public["id"])


async def test_streaming_hashtag_and_local_streams(app, client, people):
    tokens = people["tokens"]
    async with EventStream(app, "/api/v1/streaming/hashtag?tag=Cardiology", tokens["carol"]) as tag, \
            EventStream(app, "/api/v1/streaming/public/remote", tokens["carol"]) as remote:
        await post(client, tokens["bob"], "nothing tagged")
        tagged = await post(client, tokens["bob"], "AF and #cardiology")
        event, data = await tag.next()
        assert event == "update" and json.loads(data)["id"] == tagged["id"]
        # local posts never reach public:remote: the stream stays quiet
        with pytest.raises(TimeoutError):
            await remote.next(timeout=0.5)


async def test_streaming_refuses_bad_requests(app, people):
    async with EventStream(app, "/api/v1/streaming/user") as anonymous:
        assert anonymous.status == 401
    async with EventStream(app, "/api/v1/streaming/hashtag", people["tokens"]["bob"]) as untagged:
        assert untagged.status == 400 and b"No tag" in untagged.body
    async with EventStream(app, "/api/v1/streaming?stream=nonsense", people["tokens"]["bob"]) as unknown:
        assert unknown.status == 400


async def test_streaming_refuses_list_ids_that_name_nothing_and_bad_commands(app, people):
    token = people["tokens"]["bob"]
    for list_id in ("%C2%B2", "9" * 19, str(2**64)):
        async with EventStream(app, f"/api/v1/streaming/list?list={list_id}", token) as listed:
            assert listed.status == 400 and b"list" in listed.body, list_id
    async with WebSocketStream(app, f"/api/v1/streaming?access_token={token}") as ws:
        for command in ({"type": "subscribe", "stream": ["user"]}, {"type": "subscribe", "stream": "list", "list": "²"},
                        {"type": "subscribe", "stream": "hashtag", "tag": {"a": 1}}):
            await ws.send(command)
            assert (await ws.next())["status"] == 400, command
        await ws.send_text('{"type": ' + "[" * 100_000 + "]" * 100_000 + "}")
        assert (await ws.next())["status"] == 400


async def test_streaming_health(client):
    response = await client.get("/api/v1/streaming/health")
    assert response.status_code == 200 and response.text == "OK"


async def test_streaming_websocket_subscribe_and_token_as_subprotocol(app, client, people):
    tokens = people["tokens"]
    headers = {"Sec-WebSocket-Protocol": tokens["alice"]}
    async with WebSocketStream(app, "/api/v1/streaming", headers) as ws:
        assert ws.accepted and ws.subprotocol == tokens["alice"]
        await ws.send({"type": "subscribe", "stream": "hashtag"})
        assert (await ws.next())["status"] == 400
        await ws.send({"type": "subscribe", "stream": "user"})
        await ws.send({"type": "subscribe", "stream": "hashtag", "tag": "icu"})
        await asyncio.sleep(0.05)  # the subscribe messages are read before the post is written
        status = await post(client, tokens["bob"], "night shift #ICU")
        got = [await ws.next(), await ws.next()]
    assert sorted(tuple(m["stream"]) for m in got) == [("hashtag", "icu"), ("user",)]
    assert all(m["event"] == "update" and json.loads(m["payload"])["id"] == status["id"] for m in got)


async def test_streaming_websocket_refuses_without_token_or_scope(app, people):
    async with WebSocketStream(app, "/api/v1/streaming?stream=user") as anonymous:
        assert not anonymous.accepted and anonymous.close_code == 4401
    token = (await another_token(app, people["members"]["alice"], "read:statuses"))["authorization"].split()[1]
    url = f"/api/v1/streaming?stream=user:notification&access_token={token}"
    async with WebSocketStream(app, url) as narrow:
        assert not narrow.accepted and narrow.close_code == 4403


async def test_streaming_sees_changes_committed_by_another_process(app, client, people, settings):
    """A separate worker process commits through its own engine: the web process streams it anyway
    (SQLite: by polling the events table; PostgreSQL: by LISTEN/NOTIFY)."""
    tokens, actors = people["tokens"], people["actors"]
    engine = make_engine(settings.database_url)
    try:
        async with EventStream(app, "/api/v1/streaming/user", tokens["alice"]) as stream:
            async with make_sessionmaker(engine)() as other:
                bob = await other.get(Actor, actors["bob"].id)
                made = await create_post(app.state.runtime, other, bob, NewPost(text="from the worker"))
                await other.commit()
            event, data = await stream.next()
    finally:
        await engine.dispose()
    assert event == "update" and json.loads(data)["id"] == str(made.id)


def test_streaming_public_match_rules():
    assert public_match(Stream("public"), local=False, media=False, tags=set())
    assert not public_match(Stream("public:local"), local=False, media=False, tags=set())
    assert not public_match(Stream("public:remote"), local=True, media=False, tags=set())
    assert not public_match(Stream("public:media"), local=True, media=False, tags=set())
    assert public_match(Stream("public:local:media"), local=True, media=True, tags=set())
    assert public_match(Stream("hashtag", "icu"), local=False, media=False, tags={"icu"})
    assert not public_match(Stream("hashtag:local", "icu"), local=False, media=False, tags={"icu"})


async def test_streaming_admits_subscribers_arriving_together_with_one_catch_up(app, monkeypatch):
    """Streams opened while the pump runs wait together: one catch-up (on PostgreSQL a round trip on the listening
    connection) and one pump admit them all, not one each in turn."""
    hub, catch_ups = app.state.hub, []
    caught_up = hub.source.catch_up

    async def counted():
        catch_ups.append(1)
        await caught_up()

    monkeypatch.setattr(hub.source, "catch_up", counted)
    waiting = [Subscriber(viewer_id=n, token_id=n, scopes=frozenset({"read"})) for n in range(20)]
    async with hub.lock:  # the pump is running
        joining = [asyncio.create_task(hub.subscribe(subscriber)) for subscriber in waiting]
        await asyncio.sleep(0.1)
    await asyncio.gather(*joining)
    assert len(catch_ups) == 1 and hub.subscribers >= set(waiting)


async def test_streaming_subscriber_that_leaves_while_waiting_is_not_admitted(app):
    hub = app.state.hub
    leaving, staying = (Subscriber(viewer_id=n, token_id=n, scopes=frozenset({"read"})) for n in (1, 2))
    async with hub.lock:
        left = asyncio.create_task(hub.subscribe(leaving))
        stayed = asyncio.create_task(hub.subscribe(staying))
        await asyncio.sleep(0.05)
        left.cancel()
    await stayed
    assert staying in hub.subscribers and leaving not in hub.subscribers
