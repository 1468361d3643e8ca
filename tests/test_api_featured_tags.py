"""Featured hashtags: /api/v1/featured_tags (list, feature, unfeature, suggestions), an account's featured tags,
and the actor's `featuredTags` collection; counts never include followers-only, direct or members-only posts."""
import json
from datetime import datetime, timezone

from sqlalchemy import select

from federation import activities
from server.db.models import Delivery
from tests.support.api import check_auth, status
from tests.support.fake_remote import deliver, drain
from tests.support.members import member, token

AP = {"accept": "application/activity+json"}


async def _posts(client, alice) -> None:
    await status(client, alice, "#Cardiology one")
    await status(client, alice, "#cardiology two", visibility="unlisted")
    await status(client, alice, "#cardiology #wardsecret three", visibility="private")
    await status(client, alice, "#cardiology #wardsecret four", visibility="local")
    await status(client, alice, "#echo five")


async def test_api_featured_tags_count_public_and_unlisted_posts_only(client, alice, bob):
    await _posts(client, alice)
    created = await client.post("/api/v1/featured_tags", json={"name": "#Cardiology"}, headers=alice.headers)
    assert created.status_code == 200, created.text
    entity = created.json()
    today = datetime.now(timezone.utc).date().isoformat()
    assert {k: entity[k] for k in ("name", "statuses_count", "last_status_at")} == {
        "name": "Cardiology", "statuses_count": "2", "last_status_at": today}
    assert entity["url"].endswith("/tags/cardiology")
    again = await client.post("/api/v1/featured_tags", data={"name": "cardiology"}, headers=alice.headers)
    assert again.json()["id"] == entity["id"]
    await client.post("/api/v1/featured_tags", json={"name": "neverused"}, headers=alice.headers)
    mine = (await client.get("/api/v1/featured_tags", headers=alice.headers)).json()
    assert [(t["name"], t["statuses_count"], t["last_status_at"]) for t in mine] == [
        ("Cardiology", "2", today), ("neverused", "0", None)]
    shown = (await client.get(f"/api/v1/accounts/{alice.id}/featured_tags", headers=bob.headers)).json()
    assert shown == mine
    assert (await client.get(f"/api/v1/accounts/{bob.id}/featured_tags", headers=alice.headers)).json() == []


async def test_api_featured_tag_suggestions_are_own_public_tags_not_featured(client, alice):
    await _posts(client, alice)
    await client.post("/api/v1/featured_tags", json={"name": "cardiology"}, headers=alice.headers)
    suggested = (await client.get("/api/v1/featured_tags/suggestions", headers=alice.headers)).json()
    assert [t["name"] for t in suggested] == ["echo"]
    assert set(suggested[0]) >= {"name", "url", "history"}


async def test_api_featured_tags_remove_limits_and_refusals(app, client, alice, bob):
    entity = (await client.post("/api/v1/featured_tags", json={"name": "one"}, headers=alice.headers)).json()
    assert (await client.delete(f"/api/v1/featured_tags/{entity['id']}", headers=bob.headers)).status_code == 404
    removed = await client.delete(f"/api/v1/featured_tags/{entity['id']}", headers=alice.headers)
    assert (removed.status_code, removed.json()) == (200, {})
    assert (await client.get("/api/v1/featured_tags", headers=alice.headers)).json() == []
    for n in range(10):
        assert (await client.post("/api/v1/featured_tags", json={"name": f"tag{n}"},
                                  headers=alice.headers)).status_code == 200
    eleventh = await client.post("/api/v1/featured_tags", json={"name": "tag10"}, headers=alice.headers)
    assert eleventh.status_code == 422 and "10" in eleventh.json()["error"]
    for bad in ("", "not a tag", "123", "x" * 129):
        assert (await client.post("/api/v1/featured_tags", json={"name": bad},
                                  headers=bob.headers)).status_code == 422
    await check_auth(client, "POST", "/api/v1/featured_tags", await token(app, alice, "read"), json={"name": "x"})
    await check_auth(client, "GET", "/api/v1/featured_tags", await token(app, alice, "write"))


async def test_api_featured_tags_in_the_actors_collection(client, alice):
    await _posts(client, alice)
    await client.post("/api/v1/featured_tags", json={"name": "Cardiology"}, headers=alice.headers)
    actor = (await client.get("/users/alice", headers=AP)).json()
    assert actor["featuredTags"] == f"{actor['id']}/collections/tags"
    collection = (await client.get("/users/alice/collections/tags", headers=AP)).json()
    assert (collection["type"], collection["totalItems"]) == ("Collection", 1)
    assert collection["items"] == [{"type": "Hashtag", "href": collection["items"][0]["href"], "name": "#Cardiology"}]
    assert collection["items"][0]["href"].endswith("/tags/cardiology")
    assert (await client.get("/users/nobody/collections/tags", headers=AP)).status_code == 404


async def test_api_featured_tags_changes_reach_remote_followers_as_add_and_remove(fed_app, fed_client, remote):
    carol = await member(fed_app, "carol")
    ann = remote.actor("ann")
    await deliver(fed_client, ann, activities.follow(f"{ann.uri}/follows/1", ann.uri, carol.actor.uri))
    await drain(fed_app)
    entity = (await fed_client.post("/api/v1/featured_tags", json={"name": "Echo"}, headers=carol.headers)).json()
    await fed_client.post("/api/v1/featured_tags", json={"name": "echo"}, headers=carol.headers)  # no change
    await fed_client.delete(f"/api/v1/featured_tags/{entity['id']}", headers=carol.headers)
    async with fed_app.state.sessions() as session:
        rows = (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()
        sent = [(json.loads(d.body), d.inbox) for d in rows]
    changes = [doc for doc, inbox in sent if doc["type"] in ("Add", "Remove") and inbox.startswith(remote.base)]
    assert [doc["type"] for doc in changes] == ["Add", "Remove"]
    for doc in changes:
        assert (doc["actor"], doc["target"]) == (carol.actor.uri, f"{carol.actor.uri}/collections/tags")
        assert (doc["object"]["type"], doc["object"]["name"]) == ("Hashtag", "#Echo")
