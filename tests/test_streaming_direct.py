"""The `direct` stream (conversations of direct posts, to their participants only) and `user:notification`."""
import json

import pytest

from server.db.models import Block
from tests.support import factories
from tests.support.api import status
from tests.support.asgi_streams import EventStream, WebSocketStream
from tests.support.members import member


@pytest.fixture
async def people(app):
    """alice, bob and carol; bob follows alice (follows must never open a direct conversation)."""
    found = {name: await member(app, name) for name in ("alice", "bob", "carol")}
    async with app.state.sessions() as session:
        await factories.follow(session, found["bob"].actor, found["alice"].actor)
        await session.commit()
    return found


def token(who) -> str:
    return who.headers["authorization"].split(" ", 1)[1]


async def test_streaming_direct_carries_conversations_to_participants_only(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    async with EventStream(app, "/api/v1/streaming/direct", token(bob)) as bobs, \
            EventStream(app, "/api/v1/streaming/direct", token(carol)) as carols, \
            EventStream(app, "/api/v1/streaming/direct", token(alice)) as alices:
        await status(client, alice, "not direct: followers only", visibility="private")
        first = await status(client, alice, "@bob the consult, privately", visibility="direct")
        event, data = await bobs.next()
        reply = await status(client, bob, "@alice thanks", visibility="direct", in_reply_to_id=first["id"])
        own = [await alices.next(), await alices.next()]
        with pytest.raises(TimeoutError):
            await carols.next(timeout=0.5)
    conversation = json.loads(data)
    assert event == "conversation" and conversation["last_status"]["id"] == first["id"]
    assert conversation["unread"] is True and [a["username"] for a in conversation["accounts"]] == ["alice"]
    assert [e for e, _ in own] == ["conversation", "conversation"]
    mine, answered = (json.loads(d) for _, d in own)
    assert mine["unread"] is False and [a["username"] for a in mine["accounts"]] == ["bob"]
    assert answered["last_status"]["id"] == reply["id"] and answered["id"] == mine["id"] == first["id"]


async def test_streaming_direct_respects_blocks_and_sends_deletes(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    async with app.state.sessions() as session:
        session.add(Block(actor_id=carol.id, target_id=alice.id, uri="https://curbside.test/blocks/1"))
        await session.commit()
    async with EventStream(app, "/api/v1/streaming/direct", token(bob)) as bobs, \
            EventStream(app, "/api/v1/streaming/direct", token(carol)) as carols:
        sent = await status(client, alice, "@bob @carol both of you", visibility="direct")
        assert (await bobs.next())[0] == "conversation"
        removed = await client.delete(f"/api/v1/statuses/{sent['id']}", headers=alice.headers)
        assert removed.status_code == 200
        assert await bobs.next() == ("delete", sent["id"])
        # carol blocks alice: no conversation reaches her. (The delete of an id does: as on the `user`
        # stream, it goes to every home timeline that held the post, and mentions fill those.)
        assert await carols.next() == ("delete", sent["id"])


async def test_streaming_direct_over_websocket_and_its_scope(app, client, people):
    alice, bob = people["alice"], people["bob"]
    async with WebSocketStream(app, f"/api/v1/streaming?stream=direct&access_token={token(bob)}") as ws:
        assert ws.accepted
        sent = await status(client, alice, "@bob over the socket", visibility="direct")
        message = await ws.next()
    assert message["stream"] == ["direct"] and message["event"] == "conversation"
    assert json.loads(message["payload"])["last_status"]["id"] == sent["id"]
    async with EventStream(app, "/api/v1/streaming/direct") as anonymous:
        assert anonymous.status == 401


async def test_streaming_user_notification_carries_notifications_only(app, client, people):
    alice, bob = people["alice"], people["bob"]
    async with EventStream(app, "/api/v1/streaming/user/notification", token(bob)) as stream:
        await status(client, alice, "for followers, no mention")
        mention = await status(client, alice, "@bob have a look")
        event, data = await stream.next()
    assert event == "notification" and json.loads(data)["status"]["id"] == mention["id"]
