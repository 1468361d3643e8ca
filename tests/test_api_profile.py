"""update_credentials: the profile a member edits, rendered like a post, images through the same cleaning,
the Update sent to followers' servers and the actor document served fresh at once."""
import json

from sqlalchemy import select

from server.convert.actor_to_mastodon import DEFAULT_AVATAR, DEFAULT_HEADER
from server.db.models import Delivery
from server.services.posts import media
from tests.support import factories
from tests.support.api import check_auth
from tests.support.images import camera_jpeg, leaks, plain
from tests.support.members import token

AP = {"accept": "application/activity+json"}
BASE = "https://curbside.test"


async def test_api_profile_text_fields_and_flags(app, client, alice):
    before = (await client.get("/users/alice", headers=AP)).json()  # now cached
    assert before["name"] == "alice"
    response = await client.patch("/api/v1/accounts/update_credentials", headers=alice.headers, json={
        "display_name": "Dr Alice Ng", "note": "Cardiologist. See https://example.org/cv #cardiology",
        "locked": True, "discoverable": False, "bot": False,
        "fields_attributes": [{"name": "Hospital", "value": "St Elsewhere"},
                              {"name": "Web", "value": "https://example.org"}]})
    assert response.status_code == 200, response.text
    account = response.json()
    assert account["display_name"] == "Dr Alice Ng" and account["locked"] and not account["discoverable"]
    assert account["note"].startswith("<p>Cardiologist. See <a href=\"https://example.org/cv\"")
    assert 'class="mention hashtag"' in account["note"]
    assert account["source"]["note"] == "Cardiologist. See https://example.org/cv #cardiology"
    assert [f["name"] for f in account["fields"]] == ["Hospital", "Web"]
    assert account["fields"][1]["value"].startswith('<a href="https://example.org"')
    assert account["source"]["fields"][1]["value"] == "https://example.org"
    verified = (await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)).json()
    assert verified["source"] == account["source"] and verified["display_name"] == "Dr Alice Ng"
    document = (await client.get("/users/alice", headers=AP)).json()
    assert document["name"] == "Dr Alice Ng" and document["manuallyApprovesFollowers"] is True
    assert document["attachment"][0] == {"type": "PropertyValue", "name": "Hospital", "value": "St Elsewhere"}
    bot = await client.patch("/api/v1/accounts/update_credentials", headers=alice.headers, data={"bot": "true"})
    assert bot.json()["bot"] is True and bot.json()["display_name"] == "Dr Alice Ng"  # the rest unchanged
    assert (await client.get("/users/alice", headers=AP)).json()["type"] == "Service"


async def test_api_profile_form_fields_and_limits(client, alice):
    form = {f"fields_attributes[{i}][{k}]": f"{k}{i}" for i in range(2) for k in ("name", "value")}
    response = await client.patch("/api/v1/accounts/update_credentials", data=form, headers=alice.headers)
    assert [(f["name"], f["value"]) for f in response.json()["fields"]] == [("name0", "value0"), ("name1", "value1")]
    five = [{"name": str(i), "value": str(i)} for i in range(5)]
    for body in ({"fields_attributes": five}, {"display_name": "x" * 101}, {"note": "x" * 501}):
        refused = await client.patch("/api/v1/accounts/update_credentials", json=body, headers=alice.headers)
        assert refused.status_code == 422, body


async def test_api_profile_avatar_and_header_are_cleaned(client, alice):
    files = {"avatar": ("me.jpg", camera_jpeg(900, 600, orientation=1), "image/jpeg"),
             "header": ("ward.png", plain("PNG", (3000, 1200)), "image/png")}
    response = await client.patch("/api/v1/accounts/update_credentials", files=files, headers=alice.headers)
    assert response.status_code == 200, response.text
    account = response.json()
    assert account["avatar"].startswith(f"{BASE}/media/") and account["avatar"].endswith(".jpg")
    avatar = await client.get(account["avatar"].removeprefix(BASE))
    assert avatar.status_code == 200 and leaks(avatar.content) == []
    header = await client.get(account["header"].removeprefix(BASE))
    assert header.status_code == 200 and header.headers["content-type"] == "image/png"
    document = (await client.get("/users/alice", headers=AP)).json()
    assert document["icon"]["url"] == account["avatar"] and document["image"]["url"] == account["header"]
    bad = await client.patch("/api/v1/accounts/update_credentials", headers=alice.headers,
                             files={"avatar": ("x.jpg", b"not an image", "image/jpeg")})
    assert bad.status_code == 422


async def test_api_profile_update_goes_to_remote_followers(app, client, alice):
    async with app.state.sessions() as session:
        follower = await factories.remote_actor(session, "rob", "remote.example")
        await factories.follow(session, follower, alice.actor)
        await session.commit()
    await client.patch("/api/v1/accounts/update_credentials", json={"display_name": "Alice N."}, headers=alice.headers)
    async with app.state.sessions() as session:
        [delivery] = list((await session.execute(select(Delivery))).scalars())
    update = json.loads(delivery.body)
    assert delivery.inbox == "https://remote.example/inbox"
    assert update["type"] == "Update" and update["actor"] == alice.actor.uri
    assert update["object"]["id"] == alice.actor.uri and update["object"]["name"] == "Alice N."
    assert "@context" not in update["object"] and "discoverable" in json.dumps(update["@context"])


async def test_api_profile_auth(app, client, alice):
    await check_auth(client, "PATCH", "/api/v1/accounts/update_credentials", await token(app, alice, "read"),
                     json={"display_name": "x"})
    granular = await token(app, alice, "write:accounts")
    assert (await client.patch("/api/v1/accounts/update_credentials", json={"display_name": "x"},
                               headers=granular)).status_code == 200


async def _updates_sent(app) -> list[dict]:
    async with app.state.sessions() as session:
        return [json.loads(d.body) for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]


async def test_api_profile_avatar_and_header_removed_with_their_files(app, client, alice):
    async with app.state.sessions() as session:
        await factories.follow(session, await factories.remote_actor(session, "rob", "remote.example"), alice.actor)
        await session.commit()
    files = {"avatar": ("me.png", plain(), "image/png"), "header": ("ward.png", plain("PNG", (1500, 500)), "image/png")}
    before = (await client.patch("/api/v1/accounts/update_credentials", files=files, headers=alice.headers)).json()
    storage, runtime = app.state.runtime.storage, app.state.runtime
    avatar_key, header_key = (media.storage_key_of_url(runtime, before[k]) for k in ("avatar", "header"))
    assert await storage.get(avatar_key) is not None and await storage.get(header_key) is not None
    sent = len(await _updates_sent(app))
    removed = await client.delete("/api/v1/profile/avatar", headers=alice.headers)
    assert removed.status_code == 200, removed.text
    account = removed.json()
    assert account["avatar"] == BASE + DEFAULT_AVATAR and account["header"] == before["header"]
    assert "source" in account and account["id"] == str(alice.id)
    assert await storage.get(avatar_key) is None and await storage.get(header_key) is not None
    assert (await client.get(before["avatar"].removeprefix(BASE))).status_code == 404
    assert "icon" not in (await client.get("/users/alice", headers=AP)).json()
    [update] = (await _updates_sent(app))[sent:]
    assert update["type"] == "Update" and "icon" not in update["object"] and "image" in update["object"]
    again = await client.delete("/api/v1/profile/avatar", headers=alice.headers)
    assert again.status_code == 200 and len(await _updates_sent(app)) == sent + 1  # nothing to remove, nothing sent
    header = (await client.delete("/api/v1/profile/header", headers=alice.headers)).json()
    assert header["header"] == BASE + DEFAULT_HEADER and await storage.get(header_key) is None


async def test_api_profile_picture_removal_needs_write_accounts(app, client, alice):
    for picture in ("avatar", "header"):
        await check_auth(client, "DELETE", f"/api/v1/profile/{picture}", await token(app, alice, "read"))
