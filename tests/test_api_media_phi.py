"""The privacy guard over images through the client API: the upload checked off the request path (v2: 202,
then 200), findings on the upload and in the post's 422 under warn, confirmed by sending again; hold and
block; an image the guard could not check; blurring the boxes gives an upload that passes."""
import dataclasses

import httpx
import pytest
from sqlalchemy import select

from moderation.phi import image_scan
from server.app import create_app
from server.db.models import AuditEntry, HeldPost, Post
from tests.support.api import media_ready
from tests.support.images import labelled_xray, plain
from tests.support.members import member


async def upload(client, headers, data: bytes) -> dict:
    response = await client.post("/api/v2/media", files={"file": ("film.png", data, "image/png")}, headers=headers)
    assert response.status_code == 202 and response.json()["url"] is None, response.text
    return await media_ready(client, headers, response)


async def status(client, headers, media_id: str, text: str = "Old film, new question"):
    return await client.post("/api/v1/statuses", json={"status": text, "media_ids": [media_id]}, headers=headers)


@pytest.fixture
async def alice(app):
    return (await member(app, "alice")).headers


async def test_api_media_phi_upload_carries_findings_with_boxes(client, alice):
    media = await upload(client, alice, labelled_xray())
    assert media["curbside"]["phi_status"] == "found" and media["url"]
    found = {f["kind"]: f for f in media["curbside_phi_findings"]}
    assert found["record_number"]["text"] == "4482913" and found["date"]["text"] == "03/14/1951"
    x, y, w, h = found["record_number"]["box"]
    assert 40 <= x < 260 and 60 <= y < 140 and w > 0 and h > 0


async def test_api_media_phi_warn_answers_422_then_sending_again_confirms(app, client, alice):
    media = await upload(client, alice, labelled_xray())
    refused = await status(client, alice, media["id"])
    assert refused.status_code == 422
    body = refused.json()
    assert body["phi_action"] == "confirm" and 'record number "4482913" in an image' in body["error"]
    assert "send the same post again within 10 minutes" in body["error"]
    entry = next(f for f in body["phi_findings"] if f["kind"] == "record_number")
    assert entry == {"field": "media", "media_id": media["id"], "kind": "record_number",
                     "box": entry["box"], "text": "4482913"} and len(entry["box"]) == 4
    posted = await status(client, alice, media["id"])
    assert posted.status_code == 200, posted.text
    async with app.state.sessions() as session:
        post = await session.get(Post, int(posted.json()["id"]))
        confirmed = (await session.execute(select(AuditEntry).where(AuditEntry.action == "phi.confirmed"))).scalar_one()
    assert post.phi_confirmed and "record_number" in confirmed.details["kinds"]


async def test_api_media_phi_clean_image_posts_at_once(client, alice):
    media = await upload(client, alice, plain("PNG", (640, 480)))
    assert media["curbside"]["phi_status"] == "clean" and "curbside_phi_findings" not in media
    assert (await status(client, alice, media["id"])).status_code == 200


@pytest.mark.parametrize("policy", ["hold", "block"])
async def test_api_media_phi_hold_queues_and_block_refuses(settings, policy):
    app = create_app(dataclasses.replace(settings, phi_policy=policy))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
            headers = (await member(app, "dana")).headers
            media = await upload(client, headers, labelled_xray())
            answer = await status(client, headers, media["id"])
            async with app.state.sessions() as session:
                held = (await session.execute(select(HeldPost))).scalars().all()
    if policy == "hold":
        assert answer.status_code == 200 and answer.json()["curbside"]["held"] is True
        [row] = held
        assert ({(f["field"], f["media_id"], f["kind"]) for f in row.findings}
                >= {("media", media["id"], "record_number")})
    else:
        assert answer.status_code == 422 and "does not accept" in answer.json()["error"] and held == []


async def test_api_media_phi_detector_failure_is_could_not_check_never_a_pass(client, alice, monkeypatch):
    def broken(*args):
        raise RuntimeError("engine crashed")
    monkeypatch.setattr(image_scan, "read_blocks", broken)
    media = await upload(client, alice, plain("PNG", (640, 480)))
    assert media["curbside"]["phi_status"] == "failed"
    refused = await status(client, alice, media["id"])
    assert refused.status_code == 422 and "could not check this image" in refused.json()["error"]
    assert refused.json()["phi_findings"][0]["kind"] == "unchecked"


async def test_api_media_phi_upload_still_being_checked_cannot_be_posted_yet(app, client, alice):
    response = await client.post("/api/v2/media", files={"file": ("film.png", labelled_xray(), "image/png")},
                                 headers=alice)
    refused = await status(client, alice, response.json()["id"])
    assert refused.status_code == 422 and "still being checked" in refused.json()["error"]
    await media_ready(client, alice, response)


async def test_api_media_phi_blurred_copy_passes_the_guard(client, alice):
    media = await upload(client, alice, labelled_xray())
    blurred = await client.post(f"/api/v1/media/{media['id']}/blur", json={}, headers=alice)
    assert blurred.status_code == 200, blurred.text
    copy = blurred.json()
    assert copy["id"] != media["id"] and copy["curbside"]["phi_status"] == "clean"
    assert (await status(client, alice, copy["id"])).status_code == 200


@pytest.mark.parametrize("boxes", [[], "all", [[1, 2, 3]], [[-1, 0, 5, 5]], [[0, 0, 5, 5]] * 51])
async def test_api_media_phi_blur_refuses_bad_boxes(client, alice, boxes):
    media = await upload(client, alice, plain("PNG", (64, 48)))
    answer = await client.post(f"/api/v1/media/{media['id']}/blur", json={"boxes": boxes}, headers=alice)
    assert answer.status_code == 422
