"""/api/v1/conversations: direct conversations per participant — listing and paging, read and hide, who
may see them (participants only, through blocks and mutes), deletes, and direct posts from other servers."""
import pytest
from sqlalchemy import select

from server.db.models import ConversationState
from server.services.instance.settings import set_phi_policy
from tests.support.api import check_auth, status
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import ALL_SCOPES, Member, member, token


@pytest.fixture
async def people(app):
    return {name: await member(app, name) for name in ("alice", "bob", "carol")}


async def direct(client, who, text: str, **extra) -> dict:
    return await status(client, who, text, visibility="direct", **extra)


async def listed(client, who, **params) -> list[dict]:
    response = await client.get("/api/v1/conversations", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_api_conversations_list_participants_unread_and_replies(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    await status(client, alice, "@bob followers only, not a conversation", visibility="private")
    first = await direct(client, alice, "@bob a consult, privately")
    [bobs] = await listed(client, bob)
    assert (bobs["id"], bobs["unread"]) == (first["id"], True)
    assert [a["username"] for a in bobs["accounts"]] == ["alice"] and bobs["last_status"]["id"] == first["id"]
    [alices] = await listed(client, alice)
    assert alices["unread"] is False and [a["username"] for a in alices["accounts"]] == ["bob"]
    assert await listed(client, carol) == []
    reply = await direct(client, bob, "@alice thanks", in_reply_to_id=first["id"])
    [alices] = await listed(client, alice)
    [bobs] = await listed(client, bob)
    assert (alices["id"], alices["unread"], alices["last_status"]["id"]) == (first["id"], True, reply["id"])
    assert bobs["unread"] is False  # answering reads it, as on Mastodon


async def test_api_conversations_order_by_last_status_and_page_with_links(client, people):
    alice, bob = people["alice"], people["bob"]
    threads = [await direct(client, alice, f"@bob case {i}") for i in range(3)]
    await direct(client, bob, "@alice about case 0", in_reply_to_id=threads[0]["id"])  # case 0 moves up
    order = [threads[0]["id"], threads[2]["id"], threads[1]["id"]]
    assert [c["id"] for c in await listed(client, bob)] == order
    page = await client.get("/api/v1/conversations", params={"limit": 2}, headers=bob.headers)
    assert [c["id"] for c in page.json()] == order[:2] and 'rel="next"' in page.headers["link"]
    rest = await client.get(page.headers["link"].split(">")[0].lstrip("<"), headers=bob.headers)
    assert [c["id"] for c in rest.json()] == order[2:]
    newest_of_rest = rest.json()[0]["last_status"]["id"]
    newer = await listed(client, bob, min_id=newest_of_rest, limit=1)
    assert [c["id"] for c in newer] == [order[1]]
    assert [c["id"] for c in await listed(client, bob, since_id=newest_of_rest)] == order[:2]


async def test_api_conversations_read_and_hide_are_per_member(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    first = await direct(client, alice, "@bob @carol a case for both of you")
    marked = await client.post(f"/api/v1/conversations/{first['id']}/read", headers=bob.headers)
    assert marked.status_code == 200 and marked.json()["unread"] is False
    assert sorted(a["username"] for a in marked.json()["accounts"]) == ["alice", "carol"]
    assert (await listed(client, bob))[0]["unread"] is False
    assert (await listed(client, carol))[0]["unread"] is True
    hidden = await client.delete(f"/api/v1/conversations/{first['id']}", headers=bob.headers)
    assert (hidden.status_code, hidden.json()) == (200, {})
    assert await listed(client, bob) == [] and len(await listed(client, carol)) == 1
    assert (await client.delete(f"/api/v1/conversations/{first['id']}", headers=bob.headers)).status_code == 404
    again = await direct(client, alice, "@bob @carol one more thing", in_reply_to_id=first["id"])
    [back] = await listed(client, bob)
    assert (back["id"], back["unread"], back["last_status"]["id"]) == (first["id"], True, again["id"])


async def test_api_conversations_are_never_shown_to_others(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    first = await direct(client, alice, "@bob between us")
    assert await listed(client, carol) == []
    for method, path in (("POST", f"/api/v1/conversations/{first['id']}/read"),
                         ("DELETE", f"/api/v1/conversations/{first['id']}")):
        assert (await client.request(method, path, headers=carol.headers)).status_code == 404
    assert (await client.post("/api/v1/conversations/123456/read", headers=bob.headers)).status_code == 404
    assert (await client.post("/api/v1/conversations/nope/read", headers=bob.headers)).status_code == 404
    # a row somehow written for a non-participant still shows nothing: every read checks the last post
    async with app.state.sessions() as session:
        session.add(ConversationState(owner_id=carol.id, root_id=int(first["id"]),
                                      last_status_id=int(first["id"]), unread=True))
        await session.commit()
    assert await listed(client, carol) == []
    assert (await client.post(f"/api/v1/conversations/{first['id']}/read", headers=carol.headers)).status_code == 404


async def test_api_conversations_respect_blocks_and_mutes(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    first = await direct(client, alice, "@bob @carol before")
    assert (await client.post(f"/api/v1/accounts/{alice.id}/mute", headers=bob.headers)).status_code == 200
    assert (await client.post(f"/api/v1/accounts/{alice.id}/block", headers=carol.headers)).status_code == 200
    assert await listed(client, bob) == [] and await listed(client, carol) == []
    await client.post(f"/api/v1/accounts/{alice.id}/unmute", headers=bob.headers)
    [bobs] = await listed(client, bob)
    assert bobs["last_status"]["id"] == first["id"]
    await client.post(f"/api/v1/conversations/{first['id']}/read", headers=bob.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/mute", headers=bob.headers)
    await direct(client, alice, "@bob @carol while muted", in_reply_to_id=first["id"])
    await client.post(f"/api/v1/accounts/{alice.id}/unmute", headers=bob.headers)
    [bobs] = await listed(client, bob)  # the muted author's post neither moved it nor marked it unread
    assert (bobs["last_status"]["id"], bobs["unread"]) == (first["id"], False)


async def test_api_conversations_follow_deletes(client, people):
    alice, bob = people["alice"], people["bob"]
    first = await direct(client, alice, "@bob first")
    reply = await direct(client, bob, "@alice reply", in_reply_to_id=first["id"])
    assert (await client.delete(f"/api/v1/statuses/{reply['id']}", headers=bob.headers)).status_code == 200
    for who in (alice, bob):
        [left] = await listed(client, who)
        assert (left["id"], left["last_status"]["id"]) == (first["id"], first["id"])
    await client.delete(f"/api/v1/statuses/{first['id']}", headers=alice.headers)
    assert await listed(client, alice) == [] and await listed(client, bob) == []


async def test_api_conversations_note_to_self_lists_the_member(client, people):
    alice = people["alice"]
    await direct(client, alice, "a note to myself: call the lab")
    [mine] = await listed(client, alice)
    assert [a["username"] for a in mine["accounts"]] == ["alice"] and mine["unread"] is False


async def test_api_conversations_auth(app, client, people):
    bob = people["bob"]
    reader = await token(app, bob, "read:statuses")
    writer = await token(app, bob, "write:conversations")
    await check_auth(client, "GET", "/api/v1/conversations", writer)
    await check_auth(client, "POST", "/api/v1/conversations/1/read", reader)
    await check_auth(client, "DELETE", "/api/v1/conversations/1", reader)
    assert (await client.get("/api/v1/conversations", headers=reader)).status_code == 200
    assert (await client.post("/api/v1/conversations/1/read", headers=writer)).status_code == 404


async def test_api_conversations_of_a_remote_direct_post_reach_the_mentioned_member_only(fed_app, fed_client,
                                                                                        remote):
    dan, erin = (await member(fed_app, "dan")).actor, (await member(fed_app, "erin")).actor
    alice = remote.actor("alice")
    note = remote.note(alice, 1, to=[dan.uri], cc=[], content="a remote consult",
                       tag=[{"type": "Mention", "href": dan.uri, "name": "@dan"},
                            {"type": "Mention", "href": erin.uri, "name": "@erin"}])  # erin: tagged, not addressed
    assert (await deliver(fed_client, alice, create(note))).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        rows = list((await session.execute(select(ConversationState))).scalars())
    assert [(r.owner_id, r.unread) for r in rows] == [(dan.id, True)]
    dans = await member_headers(fed_app, dan)
    [conversation] = (await fed_client.get("/api/v1/conversations", headers=dans)).json()
    assert conversation["accounts"][0]["acct"] == f"alice@{alice.uri.split('/')[2]}"
    assert conversation["last_status"]["uri"] == note["id"] and conversation["unread"] is True
    erins = await member_headers(fed_app, erin)
    assert (await fed_client.get("/api/v1/conversations", headers=erins)).json() == []
    reply = await fed_client.post("/api/v1/statuses", headers=dans, json={
        "status": "thanks", "visibility": "direct", "in_reply_to_id": conversation["last_status"]["id"]})
    [after] = (await fed_client.get("/api/v1/conversations", headers=dans)).json()
    assert (after["id"], after["last_status"]["id"], after["unread"]) == (conversation["id"], reply.json()["id"], False)


async def member_headers(app, actor) -> dict[str, str]:
    return await token(app, Member(actor, {}), "read write")


async def test_api_conversations_of_a_held_direct_post_start_when_a_moderator_approves(app, client, people):
    alice, bob = people["alice"], people["bob"]
    mod = (await member(app, "mod", role="moderator", scopes=ALL_SCOPES)).headers
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    held = await direct(client, alice, "@bob Pt John Smith, DOB 03/14/1961, MRN 4482913")
    assert held["curbside"]["held"] is True
    assert await listed(client, bob) == [] and await listed(client, alice) == []
    [item] = (await client.get("/api/v1/curbside/admin/held_statuses", headers=mod)).json()
    approved = await client.post(f"/api/v1/curbside/admin/held_statuses/{item['id']}/approve", headers=mod)
    assert approved.status_code == 200, approved.text
    [bobs] = await listed(client, bob)
    assert (bobs["id"], bobs["unread"]) == (held["id"], True)


async def test_api_conversations_ids_beyond_64_bits_name_nothing(client, people):
    bob = people["bob"]
    await direct(client, people["alice"], "@bob hello")
    huge = "99999999999999999999"
    assert (await client.post(f"/api/v1/conversations/{huge}/read", headers=bob.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/conversations/{huge}", headers=bob.headers)).status_code == 404
    assert len(await listed(client, bob, max_id=huge)) == 1 and await listed(client, bob, min_id=huge) == []
