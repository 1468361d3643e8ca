"""What members keep and mark: bookmarks, favourites, pins (and the featured collection), read markers and
unread counts; Idempotency-Key on new posts; `status` and `update` notifications."""
import asyncio

from server.db.models import IdempotencyKey
from server.services.posts import idempotency
from tests.support.api import check_auth, status
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member, open_to_visitors, token

AP = {"accept": "application/activity+json"}


async def test_api_bookmarks_add_list_page_and_remove(client, alice, bob):
    posts = [await status(client, alice, f"case {i}") for i in range(3)]
    for post in (posts[1], posts[0], posts[2]):  # bookmarked in this order: listed newest bookmark first
        marked = await client.post(f"/api/v1/statuses/{post['id']}/bookmark", headers=bob.headers)
        assert marked.status_code == 200 and marked.json()["bookmarked"] is True
    page = await client.get("/api/v1/bookmarks", params={"limit": 2}, headers=bob.headers)
    assert [s["id"] for s in page.json()] == [posts[2]["id"], posts[0]["id"]]
    assert 'rel="next"' in page.headers["link"]
    next_url = page.headers["link"].split(">")[0].lstrip("<")
    rest = await client.get(next_url, headers=bob.headers)
    assert [s["id"] for s in rest.json()] == [posts[1]["id"]]
    assert (await client.get("/api/v1/bookmarks", headers=alice.headers)).json() == []
    unmarked = await client.post(f"/api/v1/statuses/{posts[0]['id']}/unbookmark", headers=bob.headers)
    assert unmarked.json()["bookmarked"] is False
    assert len((await client.get("/api/v1/bookmarks", headers=bob.headers)).json()) == 2
    assert (await client.get(f"/api/v1/statuses/{posts[2]['id']}", headers=bob.headers)).json()["bookmarked"]


async def test_api_bookmarks_of_invisible_posts_are_refused(client, alice, bob):
    private = await status(client, alice, "followers only", visibility="private")
    assert (await client.post(f"/api/v1/statuses/{private['id']}/bookmark", headers=bob.headers)).status_code == 404


async def test_api_favourites_list_newest_favourite_first(client, alice, bob):
    first, second = await status(client, alice, "one"), await status(client, alice, "two")
    for post in (second, first):
        await client.post(f"/api/v1/statuses/{post['id']}/favourite", headers=bob.headers)
    listed = await client.get("/api/v1/favourites", headers=bob.headers)
    assert [s["id"] for s in listed.json()] == [first["id"], second["id"]]
    assert all(s["favourited"] for s in listed.json())


async def test_api_pins_on_profile_and_in_the_featured_collection(app, client, alice, bob):
    await open_to_visitors(app)  # the featured collection lists its posts to unsigned fetches of an open community
    public, unlisted = (await status(client, alice, "pinned one"),
                        await status(client, alice, "two", visibility="unlisted"))
    private = await status(client, alice, "not pinnable", visibility="private")
    for post in (public, unlisted):
        pinned = await client.post(f"/api/v1/statuses/{post['id']}/pin", headers=alice.headers)
        assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    assert (await client.post(f"/api/v1/statuses/{private['id']}/pin", headers=alice.headers)).status_code == 422
    bobs = await status(client, bob, "bob's")
    assert (await client.post(f"/api/v1/statuses/{bobs['id']}/pin", headers=alice.headers)).status_code == 422
    profile = await client.get(f"/api/v1/accounts/{alice.id}/statuses", params={"pinned": "true"},
                               headers=alice.headers)
    assert [s["id"] for s in profile.json()] == [unlisted["id"], public["id"]]
    featured = await client.get("/users/alice/collections/featured", headers=AP)
    body = featured.json()
    assert body["type"] == "OrderedCollection" and body["totalItems"] == 2
    assert [n["id"] for n in body["orderedItems"]] == [unlisted["uri"], public["uri"]]
    assert body["orderedItems"][0]["type"] == "Note" and "pinned one" not in body["orderedItems"][0]["content"]
    await client.post(f"/api/v1/statuses/{public['id']}/unpin", headers=alice.headers)
    assert (await client.get("/users/alice/collections/featured", headers=AP)).json()["totalItems"] == 1


async def test_api_pins_at_most_five(client, alice):
    posts = [await status(client, alice, f"p{i}") for i in range(6)]
    for post in posts[:5]:
        assert (await client.post(f"/api/v1/statuses/{post['id']}/pin", headers=alice.headers)).status_code == 200
    again = await client.post(f"/api/v1/statuses/{posts[0]['id']}/pin", headers=alice.headers)
    assert again.status_code == 200  # pinning a pinned post changes nothing
    sixth = await client.post(f"/api/v1/statuses/{posts[5]['id']}/pin", headers=alice.headers)
    assert sixth.status_code == 422 and "at most 5" in sixth.json()["error"]


async def test_api_saved_auth(app, client, alice, bob):
    post = await status(client, alice)
    read_only, write_only = await token(app, bob, "read"), await token(app, bob, "write")
    for action in ("bookmark", "unbookmark", "pin", "unpin"):
        await check_auth(client, "POST", f"/api/v1/statuses/{post['id']}/{action}", read_only)
    granular = await token(app, bob, "write:bookmarks")
    assert (await client.post(f"/api/v1/statuses/{post['id']}/pin", headers=granular)).status_code == 403
    assert (await client.post(f"/api/v1/statuses/{post['id']}/bookmark", headers=granular)).status_code == 200
    for path in ("/api/v1/bookmarks", "/api/v1/favourites", "/api/v1/markers", "/api/v1/notifications/unread_count"):
        await check_auth(client, "GET", path, write_only)
    await check_auth(client, "POST", "/api/v1/markers", read_only, json={"home": {"last_read_id": "1"}})


async def test_api_idempotency_key_returns_the_first_post(app, client, alice, bob):
    headers = {**alice.headers, "idempotency-key": "draft-42"}
    first = await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    second = await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    assert first.status_code == second.status_code == 200 and first.json()["id"] == second.json()["id"]
    bobs = await client.post("/api/v1/statuses", json={"status": "once"}, headers={**bob.headers,
                                                                                  "idempotency-key": "draft-42"})
    assert bobs.json()["id"] != first.json()["id"]
    other = await client.post("/api/v1/statuses", json={"status": "once"},
                              headers={**alice.headers, "idempotency-key": "draft-43"})
    assert other.json()["id"] != first.json()["id"]
    timeline = (await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=alice.headers)).json()
    assert len(timeline) == 2


async def test_api_idempotency_key_holds_under_concurrent_requests(client, alice):
    headers = {**alice.headers, "idempotency-key": "tap-tap-tap"}
    responses = await asyncio.gather(*(client.post("/api/v1/statuses", json={"status": "double tap"}, headers=headers)
                                       for _ in range(4)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len((await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=alice.headers)).json()) == 1


async def test_api_idempotency_key_expires_after_an_hour(app, client, alice):
    headers = {**alice.headers, "idempotency-key": "k"}
    first = (await client.post("/api/v1/statuses", json={"status": "a"}, headers=headers)).json()
    async with app.state.sessions() as session:
        row = (await session.execute(IdempotencyKey.__table__.select())).first()
        from sqlalchemy import update

        from server.db.types import utcnow
        await session.execute(update(IdempotencyKey).values(created_at=utcnow() - idempotency.WINDOW))
        await session.commit()
    assert row is not None
    later = (await client.post("/api/v1/statuses", json={"status": "a"}, headers=headers)).json()
    assert later["id"] != first["id"]
    async with app.state.sessions() as session:
        assert await idempotency.forget_expired(session) == 0  # the old row was replaced by the new one
    assert (await client.post("/api/v1/statuses", json={"status": "a"}, headers=headers)).json()["id"] == later["id"]


async def test_api_markers_save_and_read(client, alice):
    assert (await client.get("/api/v1/markers", params={"timeline[]": ["home"]}, headers=alice.headers)).json() == {}
    saved = await client.post("/api/v1/markers", json={"home": {"last_read_id": "103"}}, headers=alice.headers)
    assert saved.status_code == 200 and saved.json()["home"]["last_read_id"] == "103"
    assert saved.json()["home"]["version"] == 1 and saved.json()["home"]["updated_at"].endswith("Z")
    form = await client.post("/api/v1/markers", data={"home[last_read_id]": "110", "notifications[last_read_id]": "7"},
                             headers=alice.headers)
    assert form.json()["home"]["version"] == 2 and form.json()["notifications"]["last_read_id"] == "7"
    both = await client.get("/api/v1/markers", params={"timeline[]": ["home", "notifications"]}, headers=alice.headers)
    assert {k: v["last_read_id"] for k, v in both.json().items()} == {"home": "110", "notifications": "7"}
    bad = await client.post("/api/v1/markers", json={"home": {"last_read_id": "abc"}}, headers=alice.headers)
    assert bad.status_code == 422


async def test_api_notifications_unread_count_follows_the_marker(client, alice, bob):
    for i in range(3):
        await client.post(f"/api/v1/statuses/{(await status(client, alice, f'p{i}'))['id']}/favourite",
                          headers=bob.headers)
    count = await client.get("/api/v1/notifications/unread_count", headers=alice.headers)
    assert count.json() == {"count": 3}
    newest = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    await client.post("/api/v1/markers", json={"notifications": {"last_read_id": newest[1]["id"]}},
                      headers=alice.headers)
    assert (await client.get("/api/v1/notifications/unread_count", headers=alice.headers)).json() == {"count": 1}
    assert (await client.get("/api/v1/notifications/unread_count", params={"limit": 1},
                             headers=bob.headers)).json() == {"count": 0}


async def test_api_notifications_status_for_subscribers_and_update_for_boosters(client, alice, bob):
    carol = await member(client._transport.app, "carol")
    await client.post(f"/api/v1/accounts/{alice.id}/follow", json={"notify": True}, headers=bob.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=carol.headers)
    post = await status(client, alice, "New guideline out today")
    await status(client, alice, "direct to nobody", visibility="direct")
    kinds = [(n["type"], n["status"]["id"]) for n in
             (await client.get("/api/v1/notifications", headers=bob.headers)).json()]
    assert kinds == [("status", post["id"])]
    assert (await client.get("/api/v1/notifications", headers=carol.headers)).json() == []
    await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=carol.headers)
    await client.put(f"/api/v1/statuses/{post['id']}", json={"status": "New guideline out today (corrected)"},
                     headers=alice.headers)
    updates = (await client.get("/api/v1/notifications", params={"types[]": "update"}, headers=carol.headers)).json()
    assert [(n["type"], n["status"]["id"]) for n in updates] == [("update", post["id"])]


async def test_api_notifications_status_for_remote_posts_in_bulk_and_alone(fed_app, fed_client, remote):
    from sqlalchemy import select

    from server.db.models import Actor, Follow, Notification, Post

    bob, carol = await member(fed_app, "bob"), await member(fed_app, "carol")
    dora = remote.actor("dora")
    await deliver(fed_client, dora, create(remote.note(dora, 1, content="before anyone followed")))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        dora_id = (await session.execute(select(Actor.id).where(Actor.uri == dora.uri))).scalar_one()
        session.add_all([Follow(follower_id=bob.id, followed_id=dora_id, uri=f"{bob.actor.uri}#f/1", state="accepted",
                                notify=True),
                         Follow(follower_id=carol.id, followed_id=dora_id, uri=f"{carol.actor.uri}#f/1",
                                state="accepted")])
        await session.commit()
    plain = remote.note(dora, 2, content="new case report")  # written with the batch
    thread = remote.note(dora, 3, content="more on it", inReplyTo=plain["id"])  # her own thread: notified
    other = remote.note(dora, 4, content="to someone else", inReplyTo="https://elsewhere.example/notes/9")
    mention = remote.note(dora, 5, content="@carol look", tag=[{"type": "Mention", "href": carol.actor.uri}])
    for note in (plain, thread, other, mention):
        await deliver(fed_client, dora, create(note))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        rows = (await session.execute(select(Notification.type, Notification.recipient_id, Post.uri)
                                      .join(Post, Post.id == Notification.post_id))).all()
    assert sorted(rows) == sorted([("status", bob.id, plain["id"]), ("status", bob.id, thread["id"]),
                                   ("status", bob.id, mention["id"]), ("mention", carol.id, mention["id"])])
