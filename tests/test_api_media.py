"""Uploads through the client API: cleaned images served from the media directory, described and focused,
attached to posts (owner only, unattached only, at most four) and federated as Documents."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from moderation.phi import IMAGE_REMINDER
from server.db.models import MediaAttachment
from server.db.types import utcnow
from server.services.posts import media as media_service
from tests.support.api import check_auth, media_ready
from tests.support.images import camera_jpeg, leaks, plain
from tests.support.members import member, token

AP = {"accept": "application/activity+json"}
BASE = "https://curbside.test"


async def upload(client, who, data: bytes, path: str = "/api/v2/media", **fields) -> dict:
    response = await client.post(path, files={"file": ("photo.jpg", data, "image/jpeg")}, data=fields,
                                 headers=who.headers)
    assert response.status_code == (202 if path.startswith("/api/v2/") else 200), response.text
    return await media_ready(client, who.headers, response)


async def test_api_media_upload_strips_metadata_and_serves_the_clean_file(client, alice):
    entity = await upload(client, alice, camera_jpeg(), description="ECG strip, lead II", focus="0.5,-0.25")
    assert entity["type"] == "image" and entity["description"] == "ECG strip, lead II"
    assert entity["meta"]["original"] == {"width": 1280, "height": 1920, "size": "1280x1920", "aspect": 1280 / 1920}
    assert max(entity["meta"]["small"]["width"], entity["meta"]["small"]["height"]) == 640
    assert entity["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert len(entity["blurhash"]) == 36 and entity["remote_url"] is None
    assert entity["curbside"] == {"reminder": IMAGE_REMINDER, "phi_status": "clean"}
    for url in (entity["url"], entity["preview_url"]):
        assert url.startswith("https://curbside.test/media/") and "photo" not in url
        served = await client.get(url.removeprefix(BASE))
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert "immutable" in served.headers["cache-control"] and served.headers["x-content-type-options"] == "nosniff"
        assert leaks(served.content) == []


async def test_api_media_v1_upload_and_png_keep_their_type(client, alice):
    entity = await upload(client, alice, plain("PNG"), path="/api/v1/media")
    assert entity["url"].endswith(".png") and entity["meta"]["original"]["size"] == "64x48"


async def test_api_media_names_are_unguessable_and_paths_safe(client, alice):
    first, second = await upload(client, alice, plain()), await upload(client, alice, plain())
    assert first["url"] != second["url"]
    key = first["url"].rsplit("/", 1)[1].split(".")[0]
    assert len(key) == 32 and int(key, 16) >= 0
    for path in ("/media/../secret_key", "/media/%2e%2e/secret_key", "/media/", "/media/ab/nothing.png"):
        assert (await client.get(path)).status_code == 404


@pytest.mark.parametrize("data, fields", [
    (b"%PDF-1.4 a referral letter", {}),
    (b"GIF89a truncated", {}),
    (plain(), {"focus": "2,0"}),
    (plain(), {"focus": "left"}),
    (plain(), {"description": "x" * 1501}),
])
async def test_api_media_refuses_non_images_and_bad_fields(client, alice, data, fields):
    response = await client.post("/api/v2/media", files={"file": ("x.png", data, "image/png")}, data=fields,
                                 headers=alice.headers)
    assert response.status_code == 422 and response.json()["error"]


async def test_api_media_without_a_file_is_refused(client, alice):
    response = await client.post("/api/v2/media", data={"description": "nothing"}, headers=alice.headers)
    assert response.status_code == 422


async def test_api_media_auth(app, client, alice):
    read_only = await token(app, alice, "read")
    files = {"file": ("x.png", plain(), "image/png")}
    await check_auth(client, "POST", "/api/v2/media", read_only, files=files)
    await check_auth(client, "POST", "/api/v1/media", read_only, files=files)
    entity = await upload(client, alice, plain())
    await check_auth(client, "GET", f"/api/v1/media/{entity['id']}", read_only)
    await check_auth(client, "PUT", f"/api/v1/media/{entity['id']}", read_only, json={"description": "x"})


async def test_api_media_get_and_update_own_unattached_only(app, client, alice):
    bob = await member(app, "bob")
    entity = await upload(client, alice, plain())
    path = f"/api/v1/media/{entity['id']}"
    changed = await client.put(path, json={"description": "Chest X-ray, PA view", "focus": "-1,1"},
                               headers=alice.headers)
    assert changed.status_code == 200
    assert (changed.json()["description"] == "Chest X-ray, PA view"
            and changed.json()["meta"]["focus"] == {"x": -1, "y": 1})
    assert (await client.get(path, headers=alice.headers)).json()["description"] == "Chest X-ray, PA view"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (await client.put(path, json={"description": "mine"}, headers=bob.headers)).status_code == 404
    await client.post("/api/v1/statuses", json={"status": "x", "media_ids": [entity["id"]]}, headers=alice.headers)
    assert (await client.get(path, headers=alice.headers)).status_code == 404  # attached: as on Mastodon


async def test_api_media_attach_to_a_post_and_federate_as_documents(client, alice):
    one = await upload(client, alice, camera_jpeg(800, 600, orientation=1), description="Rash, day 3", focus="0.1,0.2")
    two = await upload(client, alice, plain())
    status = await client.post("/api/v1/statuses", json={"status": "", "media_ids": [two["id"], one["id"]]},
                               headers=alice.headers)
    assert status.status_code == 200, status.text
    attachments = status.json()["media_attachments"]
    assert [a["id"] for a in attachments] == [two["id"], one["id"]]
    assert attachments[1]["description"] == "Rash, day 3" and attachments[1]["url"] == one["url"]
    assert "curbside" not in attachments[1]
    note = (await client.get(status.json()["uri"].removeprefix(BASE), headers=AP)).json()
    assert note["attachment"][1] == {"type": "Document", "mediaType": "image/jpeg", "url": one["url"],
                                     "name": "Rash, day 3", "blurhash": one["blurhash"], "width": 800,
                                     "height": 600, "focalPoint": [0.1, 0.2]}
    shown = await client.get(f"/api/v1/statuses/{status.json()['id']}", headers=alice.headers)
    assert shown.json()["media_attachments"] == attachments
    media_only = await client.get(f"/api/v1/accounts/{alice.id}/statuses", params={"only_media": "true"},
                                headers=alice.headers)
    assert [s["id"] for s in media_only.json()] == [status.json()["id"]]


async def test_api_media_claims_are_checked(app, client, alice):
    bob = await member(app, "bob")
    bobs = await upload(client, bob, plain())
    mine = [await upload(client, alice, plain()) for _ in range(5)]

    async def post(ids, **extra):
        return await client.post("/api/v1/statuses", json={"status": "x", "media_ids": ids, **extra},
                                 headers=alice.headers)
    assert (await post([bobs["id"]])).status_code == 422
    assert (await post([m["id"] for m in mine])).status_code == 422  # five
    assert (await post(["12345"])).status_code == 422
    poll = {"options": ["a", "b"], "expires_in": 3600}
    assert (await post([mine[0]["id"]], poll=poll)).status_code == 422
    assert (await post([mine[0]["id"]])).status_code == 200
    assert (await post([mine[0]["id"]])).status_code == 422  # attached already
    form = await client.post("/api/v1/statuses", data={"status": "form", "media_ids[]": [mine[1]["id"], mine[2]["id"]]},
                             headers=alice.headers)
    assert form.status_code == 200 and len(form.json()["media_attachments"]) == 2


async def test_api_media_edit_replaces_attachments_and_delete_keeps_them_for_redraft(client, alice):
    first, second = await upload(client, alice, plain()), await upload(client, alice, plain("JPEG"))
    status = (await client.post("/api/v1/statuses", json={"status": "x", "media_ids": [first["id"]]},
                                headers=alice.headers)).json()
    kept = await client.put(f"/api/v1/statuses/{status['id']}", json={"status": "edited"}, headers=alice.headers)
    assert [a["id"] for a in kept.json()["media_attachments"]] == [first["id"]]
    swapped = await client.put(f"/api/v1/statuses/{status['id']}",
                               json={"status": "edited", "media_ids": [second["id"]]}, headers=alice.headers)
    assert [a["id"] for a in swapped.json()["media_attachments"]] == [second["id"]]
    assert (await client.get(f"/api/v1/media/{first['id']}", headers=alice.headers)).status_code == 200  # free again
    deleted = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.headers)
    assert [a["id"] for a in deleted.json()["media_attachments"]] == [second["id"]]
    redraft = await client.post("/api/v1/statuses", json={"status": "again", "media_ids": [second["id"]]},
                                headers=alice.headers)
    assert redraft.status_code == 200 and redraft.json()["media_attachments"][0]["id"] == second["id"]


async def test_api_media_unposted_uploads_are_removed_after_a_day(app, client, alice):
    stale, posted = await upload(client, alice, plain()), await upload(client, alice, plain())
    await client.post("/api/v1/statuses", json={"status": "x", "media_ids": [posted["id"]]}, headers=alice.headers)
    async with app.state.sessions() as session:
        await session.execute(update(MediaAttachment).values(created_at=utcnow() - timedelta(days=2)))
        await session.commit()
        assert await media_service.remove_stale(app.state.runtime, session) == 1
        await session.commit()
        left = list((await session.execute(select(MediaAttachment.id))).scalars())
    assert left == [int(posted["id"])]
    assert (await client.get(stale["url"].removeprefix(BASE))).status_code == 404
    assert (await client.get(posted["url"].removeprefix(BASE))).status_code == 200
