"""Bad input answers a clear 4xx, never a 500, and stores nothing half-way: deep nesting, lone surrogates and
NULs, wrong JSON types, ids beyond 64 bits; locally and from remote servers (inbox, search's resolve)."""
from __future__ import annotations

import base64
import json

from sqlalchemy import func, select

from server.db.models import Actor, InboxItem, Post
from tests.support.fake_remote import create, signed_headers
from tests.support.members import ALL_SCOPES, member


def _json(value) -> dict:
    """A hostile client's JSON body: lone surrogates travel as \\ud800 escapes."""
    return {"content": json.dumps(value).encode(), "headers": {"content-type": "application/json"}}


async def _posts(app) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Post))


async def _send(client, method: str, path: str, headers: dict, body) -> object:
    request = _json(body)
    return await client.request(method, path, content=request["content"], headers={**headers, **request["headers"]})


async def test_api_bad_input_deep_nesting_is_refused_before_any_handler(app, client):
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    for depth, status in ((100_000, 400), (20, 422), (5, 422)):
        body = b'{"status": "hi", "spoiler_text": ' + b"[" * depth + b"]" * depth + b"}"
        for method, path in (("POST", "/api/v1/statuses"), ("PATCH", "/api/v1/accounts/update_credentials"),
                             ("POST", "/api/v2/filters")):
            response = await client.request(method, path, content=body,
                                            headers={**alice, "content-type": "application/json"})
            assert response.status_code == status, (depth, path, response.text)
    assert await _posts(app) == 0


async def test_api_bad_input_lone_surrogates_and_nul_are_refused_with_the_parameter_named(app, client):
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    for body, name in (({"status": "hi \ud800"}, "status"),
                       ({"status": "hi", "spoiler_text": "a\x00b"}, "spoiler_text"),
                       ({"status": "hi", "poll": {"options": ["\udfff", "b"], "expires_in": 600}}, "poll"),
                       ({"status": "hi", "\ud800": 1}, "parameter name")):
        response = await _send(client, "POST", "/api/v1/statuses", alice, body)
        assert response.status_code == 422 and name in response.json()["error"], (body, response.text)
    assert await _posts(app) == 0
    before = (await client.get("/api/v1/accounts/verify_credentials", headers=alice)).json()
    response = await _send(client, "PATCH", "/api/v1/accounts/update_credentials", alice,
                           {"display_name": "Dr \ud83d", "note": "fine"})
    assert response.status_code == 422 and "display_name" in response.json()["error"]
    response = await client.patch("/api/v1/accounts/update_credentials", data={"note": "a\x00b"}, headers=alice)
    assert response.status_code == 422 and "note" in response.json()["error"]
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=alice)).json() == before
    for query in ("q=%00", "q=a%00b&resolve=true", "acct=%00"):
        for path in ("/api/v2/search", "/api/v1/accounts/search", "/api/v1/accounts/lookup"):
            response = await client.get(f"{path}?{query}", headers=alice)
            assert response.status_code == 422, (path, query, response.text)


async def test_api_bad_input_wrong_json_types_are_refused_with_the_parameter_named(app, client):
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    refused = [("POST", "/api/v1/statuses", {"status": "hi", "spoiler_text": {"a": 1}}, "spoiler_text"),
               ("POST", "/api/v1/statuses", {"status": "hi", "language": 5}, "language"),
               ("POST", "/api/v1/statuses", {"status": "hi", "visibility": ["public"]}, "visibility"),
               ("POST", "/api/v1/statuses", {"status": "hi", "sensitive": {"yes": True}}, "sensitive"),
               ("POST", "/api/v1/statuses", {"status": "hi", "poll": ["a", "b"]}, "poll"),
               ("POST", "/api/v1/statuses", {"status": "hi", "poll": {"options": ["a", "b"], "expires_in": "soon"}},
                "expires_in"),
               ("PATCH", "/api/v1/accounts/update_credentials", {"locked": [True]}, "locked"),
               ("PATCH", "/api/v1/accounts/update_credentials", {"fields_attributes": [{"name": 1, "value": "x"}]},
                "name"),
               ("POST", "/api/v1/lists", {"title": {"x": 1}}, "title"),
               ("POST", "/api/v2/filters", {"title": "t", "context": [1, 2]}, "context"),
               ("POST", "/api/v1/apps", {"client_name": "x", "redirect_uris": {"a": 1}}, "redirect_uris"),
               ("POST", "/api/v1/reports", {"account_id": "1", "comment": ["x"]}, "comment")]
    for method, path, body, name in refused:
        response = await _send(client, method, path, alice, body)
        assert response.status_code == 422, (path, body, response.text)
        assert name in response.json()["error"], (path, body, response.text)
    assert await _posts(app) == 0
    lists = (await client.get("/api/v1/lists", headers=alice)).json()
    assert lists == []


async def test_api_bad_input_ids_beyond_64_bits_name_nothing(app, client):
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    huge, huger = 2**63, "9" * 20
    for path in (f"/api/v1/statuses/{huge}", f"/api/v1/accounts/{huger}", f"/api/v1/statuses/{huge}/context",
                 f"/api/v1/lists/{huge}", f"/api/v2/filters/{huger}", f"/api/v1/notifications/{huge}"):
        response = await client.get(path, headers=alice)
        assert response.status_code == 404, (path, response.text)
    response = await _send(client, "POST", "/api/v1/statuses", alice, {"status": "hi", "in_reply_to_id": str(huge)})
    assert response.status_code == 404
    for media_ids in ([huge], [str(huge)], [huger], ["²"]):
        response = await _send(client, "POST", "/api/v1/statuses", alice, {"status": "hi", "media_ids": media_ids})
        assert response.status_code == 422 and "media_ids" in response.json()["error"], media_ids
    assert await _posts(app) == 0
    response = await client.get(f"/api/v1/accounts/relationships?id[]={huge}&id[]={huger}&id[]=%C2%B2", headers=alice)
    assert (response.status_code, response.json()) == (200, [])
    made = (await _send(client, "POST", "/api/v1/lists", alice, {"title": "L"})).json()
    response = await _send(client, "POST", f"/api/v1/lists/{made['id']}/accounts", alice, {"account_ids": [huge]})
    assert response.status_code == 404
    admin = (await member(app, "admin", role="admin", scopes=ALL_SCOPES)).headers
    for query in (f"account_id={huge}", f"max_id={huger}", "limit=" + "9" * 5000):
        response = await client.get(f"/api/v1/admin/reports?{query}", headers=admin)
        assert response.status_code in (200, 422), (query, response.text)
        response = await client.get(f"/api/v1/admin/audit_log?{query}", headers=admin)
        assert response.status_code in (200, 422), (query, response.text)
    response = await _send(client, "POST", f"/api/v1/accounts/{(await _actor_id(app, 'admin'))}/mute", alice,
                           {"duration": 2**62})
    assert response.status_code == 422 and "duration" in response.json()["error"]


async def _actor_id(app, username: str) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(select(Actor.id).where(Actor.username == username, Actor.local.is_(True)))


async def test_api_bad_input_inbox_refuses_lone_surrogates_with_a_reason_and_queues_nothing(fed_app, fed_client,
                                                                                          remote):
    sender = remote.actor("sender")
    for note in (remote.note(sender, 1, content="\ud800"), remote.note(sender, 2, summary="ok\udc00"),
                 {**remote.note(sender, 3), "tag": [{"type": "Hashtag", "name": "#a\ud800"}]}):
        body = json.dumps(create(note)).encode()
        response = await fed_client.post("/inbox", content=body,
                                         headers=signed_headers(sender, str(fed_client.base_url) + "/inbox", body))
        assert response.status_code == 400 and "surrogate" in response.json()["error"], response.text
    async with fed_app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxItem)) == 0


async def test_api_bad_input_search_resolve_refuses_a_remote_actor_with_lone_surrogates(fed_app, fed_client, remote):
    alice = (await member(fed_app, "alice", scopes=ALL_SCOPES)).headers
    bad = remote.actor("bad")
    host = remote.base.split("://", 1)[1]
    remote.docs["/users/bad"] = {**bad.document(), "name": "Dr \ud800", "summary": "\x00"}
    remote.docs["/.well-known/webfinger"] = {"subject": f"acct:bad@{host}", "links": [
        {"rel": "self", "type": "application/activity+json", "href": bad.uri}]}
    for query in (f"bad@{host}", bad.uri):
        response = await fed_client.get("/api/v2/search", params={"q": query, "resolve": "true"}, headers=alice)
        assert response.status_code == 200, response.text
        assert response.json()["accounts"] == []
    async with fed_app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Actor).where(Actor.uri == bad.uri)) == 0


async def test_api_bad_input_oauth_token_refuses_wrong_types_and_nul(app, client):
    for body in ({"grant_type": "client_credentials", "client_id": {"a": 1}, "client_secret": "x"},
                 {"grant_type": ["password"], "client_id": "x"}):
        response = await _send(client, "POST", "/oauth/token", {}, body)
        assert response.status_code == 422, (body, response.text)
    basic = {"authorization": "Basic " + base64.b64encode(b"id\x00:secret").decode()}
    response = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic)
    assert response.status_code == 401, response.text
