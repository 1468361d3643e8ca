"""Entities keyed exactly as Mastodon's REST serializers key them: a key Mastodon leaves out is left out here,
never sent as null (client libraries that read Mastodon's shapes crash on the null)."""
from tests.support.api import status

VIEWER_KEYS = {"favourited", "reblogged", "muted", "bookmarked", "filtered"}


async def test_api_entity_shapes_notifications_without_a_status_have_no_status_key(client, alice, bob):
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    mine = await status(client, alice)
    await client.post(f"/api/v1/statuses/{mine['id']}/favourite", headers=bob.headers)
    notifications = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert [(n["type"], "status" in n) for n in notifications] == [("favourite", True), ("follow", False)]
    assert set(notifications[1]) == {"id", "type", "created_at", "account", "group_key"}  # Mastodon 4.3 has group_key


async def test_api_entity_shapes_status_keys_follow_the_viewer(client, alice, bob):
    mine = await status(client, alice, poll={"options": ["yes", "no"], "expires_in": 3600})
    anonymous = (await client.get(f"/api/v1/statuses/{mine['id']}")).json()
    assert not (VIEWER_KEYS | {"pinned", "text", "application"}) & set(anonymous)
    assert not {"voted", "own_votes"} & set(anonymous["poll"])
    other = (await client.get(f"/api/v1/statuses/{mine['id']}", headers=bob.headers)).json()
    assert VIEWER_KEYS <= set(other) and "pinned" not in other and {"voted", "own_votes"} <= set(other["poll"])
    own = (await client.get(f"/api/v1/statuses/{mine['id']}", headers=alice.headers)).json()
    assert VIEWER_KEYS | {"pinned"} <= set(own) and own["pinned"] is False
    assert "text" not in own and "application" not in own


async def test_api_entity_shapes_pinned_only_on_the_authors_pinnable_posts(client, alice):
    public, direct = await status(client, alice), await status(client, alice, visibility="direct")
    boost = (await client.post(f"/api/v1/statuses/{public['id']}/reblog", headers=alice.headers)).json()
    assert "pinned" not in boost and boost["reblog"]["pinned"] is False
    assert "pinned" not in (await client.get(f"/api/v1/statuses/{direct['id']}", headers=alice.headers)).json()
    home = {s["id"]: s for s in (await client.get("/api/v1/timelines/home", headers=alice.headers)).json()}
    assert "pinned" not in home[boost["id"]] and home[boost["id"]]["reblog"]["pinned"] is False
    assert "pinned" not in home[direct["id"]] and VIEWER_KEYS <= set(home[direct["id"]])


async def test_api_entity_shapes_delete_answers_the_source_text(client, alice):
    mine = await status(client, alice)
    deleted = (await client.delete(f"/api/v1/statuses/{mine['id']}", headers=alice.headers)).json()
    assert deleted["text"] == "hello" and "text" not in mine
