"""The web's private messages: /messages lists the member's direct conversations (participants only),
opening one marks it read, hiding takes it off the list, and /messages/new sends a direct post through
the posting service, so the patient-privacy guard applies."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from server.db.models import Actor, ConversationState, Mention, Post
from server.web import messages
from tests.support.members import ALL_SCOPES, member
from tests.support.web import csrf_of, member_session

PHI_TEXT = "Pt John Smith, MRN 4482913, seen 03/14/2024 in room 412"
ROW = re.compile(r'<li class="conversation( conversation-unread)?">.*?href="/messages/(\d+)"', re.S)


@pytest.fixture
async def alice(app):
    """alice writes through the client API; the test client is logged in as bob."""
    return (await member(app, "alice", scopes=ALL_SCOPES)).headers


async def direct(client, headers, text: str, **extra) -> dict:
    response = await client.post("/api/v1/statuses", headers=headers,
                                 json={"status": text, "visibility": "direct", **extra})
    assert response.status_code == 200, response.text
    return response.json()


def rows(page_html: str) -> list[tuple[str, bool]]:
    """(conversation id, unread) of each row of /messages, in order."""
    return [(m.group(2), bool(m.group(1))) for m in ROW.finditer(page_html)]


async def actor_id(app, username: str) -> int:
    async with app.state.sessions() as session:
        return (await session.execute(select(Actor.id).where(Actor.username == username))).scalar_one()


async def send(client, data: dict):
    token = csrf_of((await client.get("/messages/new")).text)
    return await client.post("/messages/new", data={"csrf_token": token, **data})


async def test_web_messages_list_newest_first_and_opening_marks_read(app, client, alice):
    await member_session(app, client, "bob")
    first = await direct(client, alice, "@bob the echo from this morning")
    second = await direct(client, alice, "@bob a second, unrelated question")
    page = await client.get("/messages")
    assert page.status_code == 200 and "<h1>Messages</h1>" in page.text
    assert rows(page.text) == [(second["id"], True), (first["id"], True)]
    assert '<p class="conversation-excerpt">a second, unrelated question</p>' in page.text  # no "@bob"
    assert 'href="/messages"' in page.text  # the nav link
    opened = await client.get(f"/messages/{first['id']}")
    assert (opened.status_code, opened.headers["location"]) == (303, f"/statuses/{first['id']}")
    assert rows((await client.get("/messages")).text) == [(second["id"], True), (first["id"], False)]
    api = await client.get("/api/v1/conversations", headers=alice)
    assert [c["unread"] for c in api.json()] == [False, False]  # alice's own posts: read for her


async def test_web_messages_are_for_participants_only(app, client, alice):
    sent = await direct(client, alice, "@bob between the two of us")
    await member_session(app, client, "carol")
    assert rows((await client.get("/messages")).text) == []
    assert (await client.get(f"/messages/{sent['id']}")).status_code == 404
    token = csrf_of((await client.get("/messages")).text)
    hidden = await client.post(f"/messages/{sent['id']}/hide", data={"csrf_token": token})
    assert hidden.status_code == 404
    assert (await client.get(f"/statuses/{sent['id']}")).status_code == 404
    visitor = await client.post("/logout", data={"csrf_token": token})
    assert visitor.status_code == 303
    assert (await client.get("/messages")).headers["location"].startswith("/login")


async def test_web_messages_hide_until_someone_writes_again(app, client, alice):
    await member_session(app, client, "bob")
    first = await direct(client, alice, "@bob first")
    token = csrf_of((await client.get("/messages")).text)
    hidden = await client.post(f"/messages/{first['id']}/hide", data={"csrf_token": token})
    assert (hidden.status_code, hidden.headers["location"]) == (303, "/messages?notice=hidden")
    page = await client.get("/messages?notice=hidden")
    assert rows(page.text) == [] and "comes back when someone writes" in page.text
    await direct(client, alice, "@bob are you there?", in_reply_to_id=first["id"])
    assert rows((await client.get("/messages")).text) == [(first["id"], True)]


async def test_web_messages_pages_older_conversations(app, client, alice, monkeypatch):
    monkeypatch.setattr(messages, "PAGE_SIZE", 2)
    await member_session(app, client, "bob")
    sent = [await direct(client, alice, f"@bob case {i}") for i in range(3)]
    page = await client.get("/messages")
    assert [i for i, _ in rows(page.text)] == [sent[2]["id"], sent[1]["id"]]
    older = re.search(r'href="(/messages\?max_id=\d+)" rel="next"', page.text).group(1)
    rest = await client.get(older)
    assert [i for i, _ in rows(rest.text)] == [sent[0]["id"]] and 'rel="next"' not in rest.text


async def test_web_messages_new_message_is_a_direct_post_to_the_recipients(app, client, alice):
    await member_session(app, client, "bob")
    await member(app, "carol")
    sent = await send(client, {"to": "@alice, carol", "status": "Could you both review the protocol?"})
    assert sent.status_code == 303
    async with app.state.sessions() as session:
        post = (await session.execute(select(Post))).scalar_one()
        mentioned = set((await session.execute(select(Actor.username).join(Mention, Mention.actor_id == Actor.id)
                                               .where(Mention.post_id == post.id))).scalars())
        owners = set((await session.execute(select(ConversationState.owner_id))).scalars())
    assert sent.headers["location"] == f"/statuses/{post.id}"
    assert post.visibility == "direct" and mentioned == {"alice", "carol"}
    assert owners == {await actor_id(app, n) for n in ("alice", "bob", "carol")}
    [theirs] = (await client.get("/api/v1/conversations", headers=alice)).json()
    assert theirs["unread"] is True and theirs["last_status"]["id"] == str(post.id)
    assert rows((await client.get("/messages")).text) == [(str(post.id), False)]


async def test_web_messages_new_message_refuses_unknown_or_missing_recipients(app, client):
    await member_session(app, client, "bob")
    for data, says in (({"to": "@nobody", "status": "hello"}, "No one is known as @nobody"),
                       ({"to": "", "status": "hello"}, "Add at least one recipient"),
                       ({"to": "<script>", "status": "hello"}, "Write each recipient as a handle"),
                       ({"to": "@bob", "status": "  "}, "Write a message")):
        refused = await send(client, data)
        assert refused.status_code == 422 and says in refused.text, data
        assert "<script>" not in refused.text
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post))).first() is None


async def test_web_messages_new_message_goes_through_the_privacy_guard(app, client, alice):
    await member_session(app, client, "bob")
    checked = await send(client, {"to": "alice", "status": PHI_TEXT})
    assert checked.status_code == 422 and "<mark" in checked.text and "Send anyway" in checked.text
    assert html.escape(PHI_TEXT) in checked.text  # kept for editing
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post))).first() is None
    assert (await client.get("/api/v1/conversations", headers=alice)).json() == []
    confirmed = await client.post("/messages/new", data={"csrf_token": csrf_of(checked.text), "to": "alice",
                                                         "status": PHI_TEXT, "phi_confirmed": "1"})
    assert confirmed.status_code == 303
    assert len((await client.get("/api/v1/conversations", headers=alice)).json()) == 1


async def test_web_messages_new_message_prefills_the_recipient(app, client):
    await member_session(app, client, "bob")
    page = await client.get("/messages/new?to=alice@other.example")
    assert 'value="alice@other.example"' in page.text
    assert 'name="to" type="text" value=""' in (await client.get('/messages/new?to="><b>')).text


async def test_web_messages_ids_beyond_64_bits_name_nothing(app, client, alice):
    await member_session(app, client, "bob")
    await direct(client, alice, "@bob hello")
    assert (await client.get("/messages/9999999999999999999")).status_code == 404
    assert len(rows((await client.get("/messages?max_id=99999999999999999999")).text)) == 1
