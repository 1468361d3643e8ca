"""Posting through the client API: the patient-privacy guard on the posting path, visibility, edits, deletes,
favourites and boosts of local posts, and the scope checks."""
import dataclasses

import pytest

from server.app import create_app
from tests.support.members import member, open_to_visitors

PHI_POST = "Pt John Smith, DOB 03/14/1961, MRN 4482913"


async def test_api_statuses_phi_under_warn_is_refused_with_findings(client, alice):
    response = await client.post("/api/v1/statuses", json={"status": PHI_POST}, headers=alice.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["phi_action"] == "confirm" and "may identify a patient" in body["error"]
    found = {(f["kind"], f["text"]) for f in body["phi_findings"]}
    assert {("name", "John Smith"), ("date", "03/14/1961"), ("record_number", "4482913")} <= found
    for finding in body["phi_findings"]:
        assert PHI_POST[finding["start"]:finding["end"]] == finding["text"]
    timeline = await client.get("/api/v1/timelines/home", headers=alice.headers)
    assert timeline.json() == []


async def test_api_statuses_phi_confirmed_under_warn_posts(client, alice):
    response = await client.post("/api/v1/statuses", json={"status": PHI_POST, "phi_confirmed": True},
                                 headers=alice.headers)
    assert response.status_code == 200 and "John Smith" in response.json()["content"]


async def test_api_statuses_phi_under_block_is_refused_even_when_confirmed(settings):
    app = create_app(dataclasses.replace(settings, phi_policy="block"))
    async with app.router.lifespan_context(app):
        import httpx
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
            headers = (await member(app, "bob")).headers
            for confirmed in (False, True):
                response = await client.post("/api/v1/statuses", json={"status": PHI_POST, "phi_confirmed": confirmed},
                                             headers=headers)
                assert response.status_code == 422 and response.json()["phi_action"] == "reject"


async def test_api_statuses_phi_is_checked_in_poll_options_and_content_warnings(client, alice):
    poll = {"status": "Which plan?", "poll": {"options": ["wait", "call Mrs. Garcia at 555-867-5309"],
                                                "expires_in": 3600}}
    response = await client.post("/api/v1/statuses", json=poll, headers=alice.headers)
    assert response.status_code == 422 and {f["field"] for f in response.json()["phi_findings"]} == {3}
    warned = await client.post("/api/v1/statuses", json={"status": "ok", "spoiler_text": "MRN 5550123"},
                               headers=alice.headers)
    assert warned.status_code == 422


async def test_api_statuses_clinical_vocabulary_posts_without_findings(client, alice):
    text = "67M with NSTEMI, troponin 0.8, started metoprolol 25 mg BID and GLP-1 RA; ECG: AF, HbA1c 7.2%"
    response = await client.post("/api/v1/statuses", json={"status": text}, headers=alice.headers)
    assert response.status_code == 200


async def test_api_statuses_create_read_edit_delete(client, alice):
    created = (await client.post("/api/v1/statuses", json={"status": "Case discussion #cardiology",
                                                           "spoiler_text": "long read"}, headers=alice.headers)).json()
    assert created["spoiler_text"] == "long read" and created["sensitive"] is True
    assert created["tags"] == [{"name": "cardiology", "url": "https://curbside.test/tags/cardiology"}]
    shown = await client.get(f"/api/v1/statuses/{created['id']}")
    assert shown.status_code == 200 and shown.json()["uri"] == created["uri"]
    edited = await client.put(f"/api/v1/statuses/{created['id']}", json={"status": "Case discussion, edited"},
                              headers=alice.headers)
    assert "edited" in edited.json()["content"] and edited.json()["edited_at"]
    history = (await client.get(f"/api/v1/statuses/{created['id']}/history")).json()
    assert len(history) == 2 and "#" in history[0]["content"]
    source = (await client.get(f"/api/v1/statuses/{created['id']}/source", headers=alice.headers)).json()
    assert source["text"] == "Case discussion, edited"
    deleted = await client.delete(f"/api/v1/statuses/{created['id']}", headers=alice.headers)
    assert deleted.json()["text"] == "Case discussion, edited"
    assert (await client.get(f"/api/v1/statuses/{created['id']}")).status_code == 404


async def test_api_statuses_visibility_for_other_members_and_anonymous(client, app, alice):
    carol = (await member(app, "carol")).headers
    ids = {}
    for visibility in ("public", "unlisted", "private", "direct", "local"):
        ids[visibility] = (await client.post("/api/v1/statuses", json={"status": visibility, "visibility": visibility},
                                             headers=alice.headers)).json()["id"]
    seen_by_carol = {v for v, i in ids.items()
                     if (await client.get(f"/api/v1/statuses/{i}", headers=carol)).status_code == 200}
    seen_anonymously = {v for v, i in ids.items() if (await client.get(f"/api/v1/statuses/{i}")).status_code == 200}
    assert seen_by_carol == {"public", "unlisted", "local"}
    assert seen_anonymously == {"public", "unlisted"}
    await open_to_visitors(app)
    public_timeline = {s["id"] for s in (await client.get("/api/v1/timelines/public")).json()}
    assert public_timeline == {ids["public"]}
    member_local = {s["id"] for s in (await client.get("/api/v1/timelines/public?local=true", headers=carol)).json()}
    assert member_local == {ids["public"], ids["local"]}
    mentioning = (await client.post("/api/v1/statuses", json={"status": "@carol have a look", "visibility": "private"},
                                    headers=alice.headers)).json()
    assert (await client.get(f"/api/v1/statuses/{mentioning['id']}",
                             headers=carol)).status_code == 200  # as on Mastodon


async def test_api_statuses_favourite_and_boost_counts_and_notifications(client, app, alice):
    carol = (await member(app, "carol")).headers
    post = (await client.post("/api/v1/statuses", json={"status": "Journal club at 5"}, headers=alice.headers)).json()
    fav = await client.post(f"/api/v1/statuses/{post['id']}/favourite", headers=carol)
    assert fav.json()["favourites_count"] == 1 and fav.json()["favourited"] is True
    boost = (await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=carol)).json()
    assert boost["id"] != post["id"] and boost["account"]["username"] == "carol"  # the boost, as Mastodon answers
    assert boost["reblog"]["id"] == post["id"] and boost["reblog"]["reblogs_count"] == 1
    assert boost["reblog"]["reblogged"] is True
    again = (await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=carol)).json()
    assert again["id"] == boost["id"] and again["reblog"]["reblogs_count"] == 1
    kinds = sorted(n["type"] for n in (await client.get("/api/v1/notifications", headers=alice.headers)).json())
    assert kinds == ["favourite", "reblog"]
    await client.post(f"/api/v1/statuses/{post['id']}/unfavourite", headers=carol)
    undone = await client.post(f"/api/v1/statuses/{post['id']}/unreblog", headers=carol)
    assert (undone.json()["favourites_count"], undone.json()["reblogs_count"]) == (0, 0)


async def test_api_statuses_reply_to_members_only_post_stays_members_only(client, app, alice):
    carol = (await member(app, "carol")).headers
    root = (await client.post("/api/v1/statuses", json={"status": "internal", "visibility": "local"},
                              headers=alice.headers)).json()
    reply = await client.post("/api/v1/statuses", json={"status": "agree", "in_reply_to_id": root["id"],
                                                        "visibility": "public"}, headers=carol)
    assert reply.json()["visibility"] == "local"
    context = (await client.get(f"/api/v1/statuses/{root['id']}/context", headers=alice.headers)).json()
    assert [s["id"] for s in context["descendants"]] == [reply.json()["id"]]


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/v1/statuses"), ("PUT", "/api/v1/statuses/1"), ("DELETE", "/api/v1/statuses/1"),
    ("POST", "/api/v1/statuses/1/favourite"), ("POST", "/api/v1/statuses/1/reblog"),
    ("GET", "/api/v1/timelines/home"), ("GET", "/api/v1/notifications"),
])
async def test_api_statuses_auth_missing_token_or_scope(client, app, method, path):
    assert (await client.request(method, path)).status_code == 401
    scopes = "read" if method != "GET" else "write"
    read_only = (await member(app, f"reader{abs(hash(path)) % 10000}", scopes=scopes)).headers
    assert (await client.request(method, path, headers=read_only)).status_code == 403


async def test_api_statuses_favourited_by_and_reblogged_by_list_the_accounts(client, app, alice):
    carol = (await member(app, "carol")).headers
    post = (await client.post("/api/v1/statuses", json={"status": "Morning report"}, headers=alice.headers)).json()
    await client.post(f"/api/v1/statuses/{post['id']}/favourite", headers=carol)
    await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=carol)
    favs = (await client.get(f"/api/v1/statuses/{post['id']}/favourited_by")).json()
    boosts = (await client.get(f"/api/v1/statuses/{post['id']}/reblogged_by")).json()
    assert [a["username"] for a in favs] == ["carol"] and [a["username"] for a in boosts] == ["carol"]
    assert (await client.get("/api/v1/statuses/999/favourited_by")).status_code == 404
