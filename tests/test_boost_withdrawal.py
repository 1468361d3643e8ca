"""A deleted post takes members' boosts of it along, and the servers that saw it through a boost hear of it:
the boosters' remote followers get an Undo(Announce) from each booster, and the Delete (ours, or the origin's
forwarded when its actor sent it with a Data Integrity proof of its own that verifies)."""
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from loopback_server import Reply, serve
from sqlalchemy import select

from federation.integrity import create_proof
from federation.multikey import multikey_document
from server.db.models import Actor, Delivery, Post
from tests.support import factories
from tests.support.fake_remote import PUBLIC, create, deliver, deliver_queued, drain
from tests.support.members import member


async def _follower_at(session, server, name: str, followed: Actor) -> Actor:
    """A remote follower of `followed` whose shared inbox is on the recording loopback `server`."""
    actor = await factories.remote_actor(session, name, f"{name}.example")
    actor.shared_inbox = server.url(f"/{name}/inbox")
    await factories.follow(session, actor, followed)
    return actor


async def test_boost_withdrawal_local_post_deleted_reaches_the_boosters_followers(app, client, settings):
    alice, bob = await member(app, "alice"), await member(app, "bob")
    post = (await client.post("/api/v1/statuses", json={"status": "hello"}, headers=alice.headers)).json()
    boost = (await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=bob.headers)).json()
    async with serve(lambda request: _accepted()) as server:
        async with app.state.sessions() as session:
            await _follower_at(session, server, "carol", bob.actor)  # follows bob, not alice
            await session.commit()
        assert (await client.delete(f"/api/v1/statuses/{post['id']}", headers=alice.headers)).status_code == 200
        await deliver_queued(settings)
    got = [json.loads(r.body) for r in server.requests if r.target == "/carol/inbox"]
    assert sorted(a["type"] for a in got) == ["Delete", "Undo", "Undo"]
    delete, *undos = sorted(got, key=lambda a: a["type"])
    assert delete["actor"] == alice.actor.uri and delete["object"]["id"] == post["uri"]
    assert {(u["actor"], u["object"]["type"], u["object"]["object"]) for u in undos} == {
        (bob.actor.uri, "Announce", post["uri"])}
    # the Announce's id, and the one it had before December 2026, which servers stored for older boosts
    assert sorted(u["object"]["id"] for u in undos) == [boost["uri"], f"{boost['uri']}/activity"]


async def test_boost_withdrawal_remote_delete_of_its_actor_is_forwarded_with_a_signature_they_can_check(
        fed_app, fed_client, remote):
    fake, server = remote, remote.server
    zed, yan = fake.actor("zed"), fake.actor("yan")
    key = Ed25519PrivateKey.generate()
    method = f"{zed.uri}#ed25519-key"
    fake.publish({**zed.document(), "assertionMethod": [multikey_document(method, zed.uri, key.public_key())]})
    bob = await member(fed_app, "bob")
    notes = [fake.note(zed, n, to=[PUBLIC], cc=[zed.followers]) for n in range(1, 6)]
    for note in notes:
        assert (await deliver(fed_client, zed, create(note))).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        await _follower_at(session, server, "carol", bob.actor)
        ids = {uri: pid for pid, uri in (await session.execute(select(Post.id, Post.uri))).all()}
        await session.commit()
    for note in notes:
        response = await fed_client.post(f"/api/v1/statuses/{ids[note['id']]}/reblog", headers=bob.headers)
        assert response.status_code == 200, response.text
    deletes = [{"@context": "https://www.w3.org/ns/activitystreams", "id": f"{note['id']}#delete", "type": "Delete",
                "actor": zed.uri, "object": {"id": note["id"], "type": "Tombstone"}, "to": [PUBLIC]} for note in notes]
    rsa = {"type": "RsaSignature2017", "creator": zed.key_id, "signatureValue": "c2lnbmVk"}
    proven, tampered, relayed = (create_proof(d, key, method) for d in deletes[2:])
    sent = [({**deletes[0], "signature": rsa}, zed), (deletes[1], zed), (proven, zed),
            ({**tampered, "to": [zed.followers]}, zed), (relayed, yan)]  # the last one signed (HTTP) by another
    for activity, signer in sent:
        assert (await deliver(fed_client, signer, activity)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        queued = [(r.inbox, json.loads(r.body)) for r in (await session.execute(select(Delivery))).scalars()]
        assert not (await session.execute(select(Post).where(Post.boost_of_id.is_not(None)))).first()
    to_carol = [body for inbox, body in queued if inbox == server.url("/carol/inbox")]
    undone = sorted(b["object"]["object"] for b in to_carol if b["type"] == "Undo")
    assert undone == sorted(n["id"] for n in notes for _ in "12")  # Undo(Announce) for each boost, by each id
    forwarded = [b for b in to_carol if b["type"] == "Delete"]
    # as received, with its LD signature or its proof; without either, with a failing proof, or sent by another: not
    assert forwarded == [{**deletes[0], "signature": rsa}, proven]


async def _accepted() -> Reply:
    return Reply(202)
