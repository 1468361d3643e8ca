"""POST /inbox and /users/{username}/inbox: what is accepted into the queue, and what is refused."""
import dataclasses
import json

import httpx
from sqlalchemy import func, select

from federation import activities
from moderation.domains import FederationMode
from server.db.models import InboxItem
from tests.support.fake_remote import create, deliver, signed_headers
from tests.support.members import member
from tests.support.moderation import allow, host_of, mode


async def _queued(app) -> list[InboxItem]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(InboxItem))).scalars())


async def test_inbox_accepts_a_signed_activity_and_queues_it_once(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    activity = create(remote.note(alice, 1))
    first = await deliver(fed_client, alice, activity)
    again = await deliver(fed_client, alice, activity)
    assert (first.status_code, again.status_code) == (202, 202)
    items = await _queued(fed_app)
    assert [(i.activity_uri, i.signer, i.state) for i in items] == [(activity["id"], alice.uri, "queued")]
    assert items[0].activity == activity


async def test_inbox_refuses_an_unsigned_post(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    response = await fed_client.post("/inbox", json=create(remote.note(alice, 1)))
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert await _queued(fed_app) == []


async def test_inbox_refuses_a_tampered_body(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    body = json.dumps(create(remote.note(alice, 1))).encode()
    headers = signed_headers(alice, str(fed_client.base_url) + "/inbox", body)
    response = await fed_client.post("/inbox", content=body.replace(b"hello", b"HELLO"), headers=headers)
    assert response.status_code == 401
    assert "digest" in response.json()["error"].lower()
    assert await _queued(fed_app) == []


async def test_inbox_refuses_a_signature_by_another_key(fed_app, fed_client, remote):
    alice, mallory = remote.actor("alice"), remote.actor("mallory")
    body = json.dumps(create(remote.note(alice, 1))).encode()
    headers = signed_headers(alice, str(fed_client.base_url) + "/inbox", body)
    forged = signed_headers(mallory, str(fed_client.base_url) + "/inbox", body)["Signature"]
    headers["Signature"] = forged.replace(mallory.key_id, alice.key_id)
    response = await fed_client.post("/inbox", content=body, headers=headers)
    assert response.status_code == 401


async def test_inbox_answers_400_to_malformed_json_and_non_objects(fed_client, remote):
    alice = remote.actor("alice")
    for body, reason in ((b'{"type": "Create",', "not valid JSON"), (b"[1, 2]", "JSON object"),
                         (b'{"type": "Create"}', "activity id")):
        headers = signed_headers(alice, str(fed_client.base_url) + "/inbox", body)
        response = await fed_client.post("/inbox", content=body, headers=headers)
        assert response.status_code == 400, body
        assert reason in response.json()["error"]


async def test_inbox_answers_413_to_an_oversized_body(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    note = remote.note(alice, 1, content="x" * fed_app.state.settings.max_body_bytes)
    response = await deliver(fed_client, alice, create(note))
    assert response.status_code == 413


async def test_inbox_queues_an_activity_its_actor_did_not_sign_with_its_signer(fed_app, fed_client, remote):
    # Signed by a key of the same host (an instance key) or of another origin (inbox forwarding): the
    # runner takes it only as its origin confirms it (test_inbox_trust.py).
    alice, instance = remote.actor("alice"), remote.actor("instance", path="/actor")
    forwarded = create(remote.note(alice, 2))
    other = alice.uri.replace("127.0.0.1", "localhost")
    forwarded["id"], forwarded["actor"] = f"{other}/statuses/2/activity", other
    for activity in (create(remote.note(alice, 1)), forwarded):
        assert (await deliver(fed_client, instance, activity)).status_code == 202
    assert [i.signer for i in await _queued(fed_app)] == [instance.uri, instance.uri]


async def test_inbox_refuses_a_signer_of_a_domain_it_does_not_accept(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202  # her key known
    other = alice.uri.replace("127.0.0.1", "localhost")
    await mode(fed_app, FederationMode.ALLOWLIST)
    await allow(fed_app, host_of(remote).replace("127.0.0.1", "localhost"))
    forwarded = {**create(remote.note(alice, 2)), "id": f"{other}/statuses/2/activity", "actor": other}
    response = await deliver(fed_client, alice, forwarded)
    assert response.status_code == 403 and "signed on" in response.json()["error"]
    assert len(await _queued(fed_app)) == 1


async def test_inbox_personal_inbox_of_a_member_and_404_for_strangers(fed_app, fed_client, remote):
    await member(fed_app, "carol")
    alice = remote.actor("alice")
    follow = activities.follow(f"{alice.uri}/follows/1", alice.uri, "http://curbside.test/users/carol")
    assert (await deliver(fed_client, alice, follow, "/users/carol/inbox")).status_code == 202
    assert (await deliver(fed_client, alice, follow, "/users/nobody/inbox")).status_code == 404


async def test_inbox_refuses_activities_claiming_a_local_actor(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    activity = activities.follow(f"{alice.uri}/f/1", "http://curbside.test/users/carol", alice.uri)
    response = await deliver(fed_client, alice, activity)
    assert response.status_code == 403
    assert await _queued(fed_app) == []


async def test_inbox_self_delete_of_an_unknown_actor_is_accepted_and_dropped(fed_app, fed_client, remote):
    ghost = remote.actor("ghost")
    del remote.docs["/users/ghost"]  # the account is gone: its key cannot be fetched
    response = await deliver(fed_client, ghost, activities.delete(f"{ghost.uri}#delete", ghost.uri, ghost.uri))
    assert response.status_code == 202
    assert await _queued(fed_app) == []


async def test_inbox_counts_one_row_per_activity_under_concurrent_duplicates(fed_app, fed_client, remote):
    import asyncio

    alice = remote.actor("alice")
    activity = create(remote.note(alice, 7))
    answers = await asyncio.gather(*(deliver(fed_client, alice, activity) for _ in range(5)))
    assert {a.status_code for a in answers} == {202}
    async with fed_app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxItem)) == 1


async def test_inbox_resolves_key_ids_without_fragment_gotosocial_style(fed_app, fed_client, remote):
    gts = remote.actor("gts")
    gts.key_suffix = "/main-key"
    remote.publish(gts)
    # What GoToSocial serves at the key's own URL: a stub naming the key's owner.
    remote.docs["/users/gts/main-key"] = {"id": gts.uri, "type": "Person",
                                          "publicKey": gts.document()["publicKey"]}
    response = await deliver(fed_client, gts, create(remote.note(gts, 1)))
    assert response.status_code == 202
    assert [i.signer for i in await _queued(fed_app)] == [gts.uri]


async def test_inbox_answers_400_to_json_that_cannot_be_stored_faithfully(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    good = json.dumps(create(remote.note(alice, 1)))
    for body, reason in ((good.replace('hello', '\\u0000hello').encode(), "NUL"),
                         (good.replace('"type": "Note"', '"type": "Note", "n": NaN').encode(), "not valid JSON"),
                         (good.encode("utf-16"), "not valid JSON")):
        headers = signed_headers(alice, str(fed_client.base_url) + "/inbox", body)
        response = await fed_client.post("/inbox", content=body, headers=headers)
        assert response.status_code == 400, body[:60]
        assert reason in response.json()["error"]
    assert await _queued(fed_app) == []


async def test_inbox_answers_400_to_json_nested_deeper_than_64(fed_app, fed_client, remote):
    """Deep nesting is refused at the door (RecursionError waits for whatever code reads it later); depth is
    counted outside strings, so brackets and escaped quotes in text do not count."""
    alice = remote.actor("alice")
    text = '"[[[{{{\\"[[[["'

    def activity(depth: int) -> bytes:  # the activity is one level, the note two, `deep` `depth` more
        return json.dumps(create(remote.note(alice, depth, deep="<deep>", summary=text * 30))).replace(
            '"<deep>"', "[" * depth + "]" * depth).encode()
    for depth, status in ((62, 202), (63, 400), (900, 400), (200_000, 400)):
        body = activity(depth)
        response = await fed_client.post("/inbox", content=body,
                                         headers=signed_headers(alice, str(fed_client.base_url) + "/inbox", body))
        assert response.status_code == status, depth
        if status == 400:
            assert "nested deeper than 64 levels" in response.json()["error"]
    assert len(await _queued(fed_app)) == 1


async def test_inbox_answers_413_to_an_oversized_streamed_body(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    limit = fed_app.state.settings.max_body_bytes

    async def chunks():  # no Content-Length: the limit must hold while the body streams in
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    headers = signed_headers(alice, str(fed_client.base_url) + "/inbox", b"")
    response = await fed_client.post("/inbox", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert await _queued(fed_app) == []


async def test_inbox_echoes_the_request_id_and_405s_other_methods(fed_client, remote):
    alice = remote.actor("alice")
    body = json.dumps(create(remote.note(alice, 1))).encode()
    headers = {**signed_headers(alice, str(fed_client.base_url) + "/inbox", body), "X-Request-Id": "abc-123"}
    response = await fed_client.post("/inbox", content=body, headers=headers)
    assert (response.status_code, response.headers["x-request-id"]) == (202, "abc-123")
    assert (await fed_client.get("/inbox")).status_code == 405
    assert (await fed_client.post("/users/a/b/inbox", content=body)).status_code == 404


async def test_inbox_answers_carry_the_security_headers_and_an_access_line(fed_client, remote, caplog):
    alice = remote.actor("alice")
    body = json.dumps(create(remote.note(alice, 1))).encode()
    signed = signed_headers(alice, str(fed_client.base_url) + "/inbox", body)
    with caplog.at_level("INFO", logger="curbside.access"):
        accepted = await fed_client.post("/inbox", content=body, headers=signed)
        refused = await fed_client.post("/inbox", content=body, headers={"X-Request-Id": "xyz-9"})
    assert (accepted.status_code, refused.status_code) == (202, 401)
    for response in (accepted, refused):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert len(response.headers.get_list("x-request-id")) == 1
    assert refused.headers["x-request-id"] == "xyz-9"
    lines = [r.getMessage() for r in caplog.records if r.name == "curbside.access"]
    assert [line.rsplit(" ", 1)[0] for line in lines] == ["POST /inbox 202", "POST /inbox 401"]


async def test_inbox_path_with_a_nul_byte_is_refused(fed_client):
    response = await fed_client.post("/users/a%00b/inbox", content=b"{}")
    assert response.status_code == 400 and "NUL" in response.json()["error"]


async def test_inbox_writer_stores_a_batch_even_if_one_row_is_refused(fed_app):
    import asyncio

    from server.services.federation.inbox.intake import InboxWriter, QueueUnavailable, Row

    writer = InboxWriter(fed_app.state.runtime.engine)
    rows = [Row(f"https://a.example/{n}", "https://a.example/u", json.dumps({"n": n})) for n in range(3)]
    rows.insert(1, Row("https://a.example/bad", "https://a.example/u", '{"s": "\\ud800"}'))  # no jsonb for this
    try:
        results = await asyncio.gather(*(writer.add(row) for row in rows), return_exceptions=True)
    finally:
        await writer.close()
    stored = {i.activity_uri: i.activity for i in await _queued(fed_app)}
    assert all(stored[r.activity_uri] == json.loads(r.text) for r in rows if r is not rows[1])
    if fed_app.state.runtime.engine.dialect.name == "postgresql":
        assert isinstance(results[1], QueueUnavailable) and rows[1].activity_uri not in stored
    assert [r for i, r in enumerate(results) if i != 1] == [None, None, None]


async def test_inbox_actor_update_with_a_new_key_replaces_the_cached_key_at_once(fed_client, remote):
    from tests.support.fake_remote import keypair

    alice = remote.actor("alice")
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202  # key cached
    old_private = alice.private_pem
    alice.private_pem, alice.public_pem = keypair(5)  # a key no other test actor of this remote has yet
    update = activities.update(f"{alice.uri}#updates/1", alice.uri, alice.document())
    body = json.dumps(update).encode()
    signed_by_old = signed_headers(dataclasses.replace(alice, private_pem=old_private),
                                   str(fed_client.base_url) + "/inbox", body)
    assert (await fed_client.post("/inbox", content=body, headers=signed_by_old)).status_code == 202
    del remote.docs["/users/alice"]  # no refetch can help from here: only the cache decides
    assert (await deliver(fed_client, alice, create(remote.note(alice, 2)))).status_code == 202
    old = dataclasses.replace(alice, private_pem=old_private)
    assert (await deliver(fed_client, old, create(remote.note(alice, 3)))).status_code == 401


async def test_inbox_new_key_is_the_only_one_signed_fetches_accept_at_once(fed_settings, remote):
    """Signed GETs (authorized fetch) share the inbox's key cache: after a verified Update with a new key,
    a GET signed with the old key is refused at once, not when a separate cache expires."""
    from federation.signatures import sign_request
    from server.app import create_app
    from tests.support.fake_remote import keypair
    from tests.support.members import member

    app = create_app(dataclasses.replace(fed_settings, authorized_fetch=True))
    async with app.router.lifespan_context(app):
        await member(app, "bob")
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url) as client:
            alice = remote.actor("alice")

            async def fetch_bob(actor) -> int:
                url = f"{client.base_url}/users/bob"
                headers = sign_request("GET", url, {"Accept": "application/activity+json"}, None, actor.key_id,
                                       actor.private_pem)
                return (await client.get("/users/bob", headers=headers)).status_code

            assert await fetch_bob(alice) == 200  # the old key is cached now
            old = dataclasses.replace(alice)
            alice.private_pem, alice.public_pem = keypair(6)
            update = activities.update(f"{alice.uri}#updates/1", alice.uri, alice.document())
            assert (await deliver(client, old, update)).status_code == 202
            del remote.docs["/users/alice"]  # no refetch can help from here: only the cache decides
            assert await fetch_bob(old) == 401
            assert await fetch_bob(alice) == 200
