"""Lists through the client API (Mastodon's /api/v1/lists, list timelines and the `list` stream) and
/api/v1/preferences: only accounts the owner follows, only the owner sees a list, exclusive lists keep
their members out of the home timeline, replies as the list's policy says."""
import asyncio
import json

import pytest

from tests.support.api import check_auth, status
from tests.support.asgi_streams import EventStream, WebSocketStream
from tests.support.members import member, token

LISTS = "/api/v1/lists"


@pytest.fixture
async def people(app, client):
    """alice follows bob and carol; dave is followed by nobody."""
    found = {name: await member(app, name) for name in ("alice", "bob", "carol", "dave")}
    for name in ("bob", "carol"):
        followed = await client.post(f"/api/v1/accounts/{found[name].id}/follow", headers=found["alice"].headers)
        assert followed.status_code == 200 and followed.json()["following"], followed.text
    return found


async def new_list(client, who, title: str = "Cardiology colleagues", **extra) -> dict:
    response = await client.post(LISTS, json={"title": title, **extra}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def add(client, who, list_id: str, *members) -> None:
    response = await client.post(f"{LISTS}/{list_id}/accounts", json={"account_ids": [str(m.id) for m in members]},
                                 headers=who.headers)
    assert response.status_code == 200 and response.json() == {}, response.text


async def ids(client, who, path: str, **params) -> list[str]:
    response = await client.get(path, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


async def test_api_lists_create_show_update_and_delete(client, people):
    alice = people["alice"]
    made = await new_list(client, alice)
    assert made["title"] == "Cardiology colleagues" and made["replies_policy"] == "list" and made["exclusive"] is False
    other = await client.post(LISTS, data={"title": "Residents", "replies_policy": "none", "exclusive": "true"},
                              headers=alice.headers)
    assert other.json()["replies_policy"] == "none" and other.json()["exclusive"] is True
    assert await ids(client, alice, LISTS) == [made["id"], other.json()["id"]]
    assert (await client.get(f"{LISTS}/{made['id']}", headers=alice.headers)).json() == made
    changed = await client.put(f"{LISTS}/{made['id']}", json={"title": "EP lab", "replies_policy": "followed",
                                                              "exclusive": True}, headers=alice.headers)
    assert changed.json() == {**made, "title": "EP lab", "replies_policy": "followed", "exclusive": True}
    untouched = await client.put(f"{LISTS}/{made['id']}", json={"exclusive": False}, headers=alice.headers)
    assert untouched.json()["title"] == "EP lab" and untouched.json()["exclusive"] is False
    blank = await client.post(LISTS, json={"title": "  "}, headers=alice.headers)
    assert blank.status_code == 422 and blank.json()["error"] == "Validation failed: Title can't be blank"
    wrong = await client.put(f"{LISTS}/{made['id']}", json={"replies_policy": "some"}, headers=alice.headers)
    assert wrong.status_code == 422 and wrong.json()["error"] == "'some' is not a valid replies_policy"
    gone = await client.delete(f"{LISTS}/{made['id']}", headers=alice.headers)
    assert gone.status_code == 200 and gone.json() == {}
    assert (await client.get(f"{LISTS}/{made['id']}", headers=alice.headers)).status_code == 404
    assert await ids(client, alice, LISTS) == [other.json()["id"]]


async def test_api_lists_every_endpoint_wants_a_token_and_its_scope(app, client, people):
    alice = people["alice"]
    made = await new_list(client, alice)
    one = f"{LISTS}/{made['id']}"
    writer, reader = await token(app, alice, "write"), await token(app, alice, "read:statuses read:accounts")
    body = {"json": {"account_ids": [str(people["bob"].id)]}}
    for method, path, wrong, extra in [
            ("GET", LISTS, writer, {}), ("POST", LISTS, reader, {"json": {"title": "x"}}),
            ("GET", one, writer, {}), ("PUT", one, reader, {"json": {"title": "x"}}), ("DELETE", one, reader, {}),
            ("GET", f"{one}/accounts", writer, {}), ("POST", f"{one}/accounts", reader, body),
            ("DELETE", f"{one}/accounts", reader, body),
            ("GET", f"/api/v1/accounts/{people['bob'].id}/lists", reader, {}),
            ("GET", f"/api/v1/timelines/list/{made['id']}", reader, {}),
            ("GET", "/api/v1/preferences", await token(app, alice, "read:lists write"), {})]:
        await check_auth(client, method, path, wrong, **extra)
    granular = await token(app, alice, "read:lists")
    assert (await client.get(f"/api/v1/timelines/list/{made['id']}", headers=granular)).status_code == 200
    assert (await client.get(LISTS, headers=await token(app, alice, "read"))).status_code == 200
    # the list's stream wants read:statuses, as Mastodon's streaming server does
    async with EventStream(app, f"/api/v1/streaming/list?list={made['id']}") as anonymous:
        assert anonymous.status == 401
    lists_only = granular["authorization"].split()[1]
    async with EventStream(app, f"/api/v1/streaming?stream=list&list={made['id']}", lists_only) as narrow:
        assert narrow.status == 403


async def test_api_lists_another_members_list_is_not_found(app, client, people):
    alice, bob = people["alice"], people["bob"]
    made = await new_list(client, alice)
    one = f"{LISTS}/{made['id']}"
    for method, path, extra in [("GET", one, {}), ("PUT", one, {"json": {"title": "mine now"}}),
                                ("GET", f"{one}/accounts", {}),
                                ("POST", f"{one}/accounts", {"json": {"account_ids": [str(alice.id)]}}),
                                ("DELETE", f"{one}/accounts", {"json": {"account_ids": [str(alice.id)]}}),
                                ("GET", f"/api/v1/timelines/list/{made['id']}", {}), ("DELETE", one, {})]:
        response = await client.request(method, path, headers=bob.headers, **extra)
        assert response.status_code == 404 and response.json()["error"] == "Record not found", (method, path)
    assert await ids(client, bob, LISTS) == []
    assert (await client.get(one, headers=alice.headers)).json()["title"] == "Cardiology colleagues"
    bob_token = bob.headers["authorization"].split()[1]
    async with EventStream(app, f"/api/v1/streaming/list?list={made['id']}", bob_token) as stranger:
        assert stranger.status == 401 and b"Not authorized to stream this list" in stranger.body
    async with EventStream(app, "/api/v1/streaming?stream=list", bob_token) as unnamed:
        assert unnamed.status == 400


async def test_api_lists_accounts_only_followed_ones_paged(client, people):
    alice, bob, carol, dave = (people[n] for n in ("alice", "bob", "carol", "dave"))
    made = await new_list(client, alice)
    accounts = f"{LISTS}/{made['id']}/accounts"
    refused = await client.post(accounts, json={"account_ids": [str(bob.id), str(dave.id)]}, headers=alice.headers)
    assert refused.status_code == 422 and "follow relationship missing" in refused.json()["error"]
    assert await ids(client, alice, accounts) == []  # all or none: bob was not added either
    unknown = await client.post(accounts, json={"account_ids": ["987654321"]}, headers=alice.headers)
    assert unknown.status_code == 404
    await client.post(accounts, data={"account_ids[]": [str(bob.id)]}, headers=alice.headers)
    await add(client, alice, made["id"], carol)
    again = await client.post(accounts, json={"account_ids": [str(bob.id)]}, headers=alice.headers)
    assert again.status_code == 422 and again.json()["error"] == "Validation failed: Account has already been taken"
    first = await client.get(accounts, params={"limit": 1}, headers=alice.headers)
    assert [a["id"] for a in first.json()] == [str(carol.id)] and 'rel="next"' in first.headers["link"]
    rest = await client.get(first.headers["link"].split(">")[0].lstrip("<"), headers=alice.headers)
    assert [a["id"] for a in rest.json()] == [str(bob.id)] and rest.json()[0]["username"] == "bob"
    everyone = await client.get(accounts, params={"limit": 0}, headers=alice.headers)
    assert {a["id"] for a in everyone.json()} == {str(bob.id), str(carol.id)} and "link" not in everyone.headers
    assert await ids(client, alice, f"/api/v1/accounts/{bob.id}/lists") == [made["id"]]
    assert await ids(client, alice, f"/api/v1/accounts/{dave.id}/lists") == []
    assert await ids(client, bob, f"/api/v1/accounts/{bob.id}/lists") == []  # alice's lists are hers alone
    removed = await client.delete(f"{accounts}?account_ids[]={bob.id}", headers=alice.headers)
    assert removed.status_code == 200 and removed.json() == {}
    assert await ids(client, alice, accounts) == [str(carol.id)]


async def test_api_lists_timeline_shows_members_posts_paged(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    made = await new_list(client, alice)
    await add(client, alice, made["id"], bob)
    posts = [await status(client, bob, f"ECG of the day {i}") for i in range(3)]
    private = await status(client, bob, "followers only", visibility="private")
    await status(client, bob, "@alice direct", visibility="direct")
    await status(client, carol, "not on the list")
    await status(client, people["dave"], "a stranger")
    timeline = f"/api/v1/timelines/list/{made['id']}"
    newest_first = [private["id"]] + [p["id"] for p in reversed(posts)]
    assert await ids(client, alice, timeline) == newest_first
    page = await client.get(timeline, params={"limit": 2}, headers=alice.headers)
    assert [s["id"] for s in page.json()] == newest_first[:2]
    older = await client.get(page.headers["link"].split(">")[0].lstrip("<"), headers=alice.headers)
    assert [s["id"] for s in older.json()] == newest_first[2:]
    assert await ids(client, alice, timeline, min_id=posts[0]["id"], limit=2) == [posts[2]["id"], posts[1]["id"]]
    assert await ids(client, alice, timeline, since_id=posts[1]["id"]) == newest_first[:2]
    # the home timeline still has everything: the list is not exclusive
    assert posts[0]["id"] in await ids(client, alice, "/api/v1/timelines/home")


async def test_api_lists_replies_policy(client, people):
    alice, bob, carol, dave = (people[n] for n in ("alice", "bob", "carol", "dave"))
    to_alice, to_carol, to_dave = [await status(client, who, "a question") for who in (alice, carol, dave)]
    thread = await status(client, bob, "a thread")
    replies = {name: await status(client, bob, "an answer", in_reply_to_id=parent["id"])
               for name, parent in (("alice", to_alice), ("carol", to_carol), ("dave", to_dave), ("bob", thread))}
    made = await new_list(client, alice)
    await add(client, alice, made["id"], bob)
    timeline = f"/api/v1/timelines/list/{made['id']}"

    async def shown(policy: str) -> set[str]:
        await client.put(f"{LISTS}/{made['id']}", json={"replies_policy": policy}, headers=alice.headers)
        found = set(await ids(client, alice, timeline))
        assert thread["id"] in found
        return {name for name, reply in replies.items() if reply["id"] in found}

    assert await shown("followed") == {"alice", "carol", "bob"}
    assert await shown("list") == {"alice", "bob"}
    await add(client, alice, made["id"], carol)
    assert await shown("list") == {"alice", "carol", "bob"}
    assert await shown("none") == {"alice", "bob"}


async def test_api_lists_exclusive_keeps_members_out_of_home(client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    made = await new_list(client, alice, exclusive=True)
    await add(client, alice, made["id"], bob)
    by_bob, by_carol = await status(client, bob, "journal club"), await status(client, carol, "on call")
    home = "/api/v1/timelines/home"
    assert by_bob["id"] not in await ids(client, alice, home)
    assert by_carol["id"] in await ids(client, alice, home)
    assert await ids(client, alice, f"/api/v1/timelines/list/{made['id']}") == [by_bob["id"]]
    assert by_bob["id"] in await ids(client, people["bob"], home)  # only the list's owner is concerned
    await client.put(f"{LISTS}/{made['id']}", json={"exclusive": False}, headers=alice.headers)
    assert by_bob["id"] in await ids(client, alice, home)


async def test_api_lists_unfollow_or_block_takes_the_account_off_the_lists(client, people):
    alice, bob = people["alice"], people["bob"]
    made = await new_list(client, alice)
    await add(client, alice, made["id"], bob, people["carol"])
    await status(client, bob, "still here")
    assert (await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.headers)).status_code == 200
    assert await ids(client, alice, f"{LISTS}/{made['id']}/accounts") == [str(people["carol"].id)]
    assert await ids(client, alice, f"/api/v1/accounts/{bob.id}/lists") == []
    assert await ids(client, alice, f"/api/v1/timelines/list/{made['id']}") == []
    # a block ends the follow too (both ways), and with it the membership
    blocked = await client.post(f"/api/v1/accounts/{people['carol'].id}/block", headers=alice.headers)
    assert blocked.status_code == 200
    assert await ids(client, alice, f"{LISTS}/{made['id']}/accounts") == []


async def test_api_lists_stream_carries_members_posts_to_the_owner(app, client, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    made = await new_list(client, alice, exclusive=True)
    await add(client, alice, made["id"], bob)
    alice_token = alice.headers["authorization"].split()[1]
    async with EventStream(app, f"/api/v1/streaming/list?list={made['id']}", alice_token) as on_list, \
            EventStream(app, "/api/v1/streaming/user", alice_token) as home:
        await status(client, carol, "not on the list")
        by_bob = await status(client, bob, "new guideline out")
        event, data = await on_list.next()
        assert event == "update" and json.loads(data)["id"] == by_bob["id"]
        # bob is on an exclusive list: alice's home stream has carol's post only
        assert json.loads((await home.next())[1])["account"]["username"] == "carol"
        marker = await status(client, carol, "after bob's")
        assert json.loads((await home.next())[1])["id"] == marker["id"]
        await client.delete(f"/api/v1/statuses/{by_bob['id']}", headers=bob.headers)
        assert await on_list.next() == ("delete", by_bob["id"])


async def test_api_lists_stream_over_websocket_is_the_owners_alone(app, client, people):
    alice, bob = people["alice"], people["bob"]
    made = await new_list(client, alice)
    await add(client, alice, made["id"], bob)
    def offered(who) -> dict:
        return {"Sec-WebSocket-Protocol": who.headers["authorization"][7:]}

    async with WebSocketStream(app, "/api/v1/streaming", offered(bob)) as ws:
        await ws.send({"type": "subscribe", "stream": "list", "list": made["id"]})
        assert (await ws.next())["status"] == 401
    async with WebSocketStream(app, "/api/v1/streaming", offered(alice)) as ws:
        await ws.send({"type": "subscribe", "stream": "list", "list": made["id"]})
        await asyncio.sleep(0.05)  # the subscription is read before the post is written
        by_bob = await status(client, bob, "grand rounds moved")
        message = await ws.next()
    assert message["stream"] == ["list", made["id"]] and message["event"] == "update"
    assert json.loads(message["payload"])["id"] == by_bob["id"]


async def test_api_preferences(client, people):
    response = await client.get("/api/v1/preferences", headers=people["alice"].headers)
    assert response.status_code == 200
    assert response.json() == {"posting:default:visibility": "public", "posting:default:sensitive": False,
                               "posting:default:language": None, "reading:expand:media": "default",
                               "reading:expand:spoilers": False}
