"""Who speaks for an actor: only its own key. An activity signed by anyone else (even on the actor's
host) is taken only as the origin confirms it; a key id names one owner, on its own origin."""
import asyncio
import json
from datetime import timedelta

from sqlalchemy import select, update

from federation import activities
from federation.urls import key_belongs_to
from server.ap.inbox import intake_of
from server.db.models import Actor, InboxItem, Like, Notification, Post, SeenActivity
from server.db.types import utcnow
from server.jobs.inbox import _finish, claim
from server.services.federation.inbox.remembered import FAILED_KEEP, prune
from server.services.federation.remote_actors import fetch_actor
from tests.support import factories
from tests.support.fake_remote import PUBLIC, RemoteActor, create, deliver, drain, signed_headers
from tests.support.members import member


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _failures(app) -> list[str]:
    return [i.last_error for i in await _all(app, InboxItem, InboxItem.state == "failed")]


async def _local_post(app, author: Actor) -> Post:
    async with app.state.sessions() as session:
        post = await factories.post(session, app.state.urls, author)
        await session.commit()
        return post


async def test_inbox_trust_a_post_signed_by_another_actor_of_its_host_comes_from_its_origin(fed_app, fed_client,
                                                                                              remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    mention = [{"type": "Mention", "href": dana.uri}]
    forged = remote.note(carol, 1, content="forged by bob", to=[PUBLIC, dana.uri], tag=mention)
    assert (await deliver(fed_client, bob, create(forged))).status_code == 202  # queued: the runner decides
    await drain(fed_app)
    assert await _all(fed_app, Post) == [] and await _all(fed_app, Notification) == []
    assert "cannot fetch" in (await _failures(fed_app))[0]
    # Carol's own post, forwarded by bob (inbox forwarding): taken as carol's origin serves it.
    remote.publish(remote.note(carol, 2, content="carol's own words"))
    forwarded = create(remote.note(carol, 2, content="rewritten by bob"))
    assert (await deliver(fed_client, bob, forwarded)).status_code == 202
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert (post.author.uri, post.content_html) == (carol.uri, "<p>carol's own words</p>")


async def test_inbox_trust_a_like_signed_by_another_actor_counts_only_as_its_origin_serves_it(fed_app, fed_client,
                                                                                                remote):
    dana = (await member(fed_app, "dana")).actor
    post = await _local_post(fed_app, dana)
    bob, carol = remote.actor("bob"), remote.actor("carol")
    forged = activities.like(f"{carol.uri}/likes/1", carol.uri, post.uri)
    await deliver(fed_client, bob, forged)
    await drain(fed_app)
    assert await _all(fed_app, Like) == [] and await _all(fed_app, Notification) == []
    assert f"signed by {bob.uri}" in (await _failures(fed_app))[0]
    served = activities.like(f"{carol.uri}/likes/2", carol.uri, post.uri)
    remote.publish(served)
    await deliver(fed_client, bob, served)
    await drain(fed_app)
    assert [like.uri for like in await _all(fed_app, Like)] == [served["id"]]


async def test_inbox_trust_a_delete_signed_by_another_actor_waits_for_its_origin(fed_app, fed_client, remote):
    bob, carol = remote.actor("bob"), remote.actor("carol")
    note = remote.note(carol, 1)
    await deliver(fed_client, carol, create(note))
    await drain(fed_app)
    remote.publish(note)
    delete = activities.delete(f"{note['id']}#delete", carol.uri, note["id"])
    await deliver(fed_client, bob, delete)
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]
    assert "its origin still serves" in (await _failures(fed_app))[0]
    del remote.docs[note["id"].removeprefix(remote.base)]
    await deliver(fed_client, bob, {**delete, "id": delete["id"] + "-forwarded-again"})
    await drain(fed_app)
    assert await _all(fed_app, Post) == []


async def test_inbox_trust_a_boost_embeds_only_its_boosters_own_post(fed_app, fed_client, remote):
    bob, carol = remote.actor("bob"), remote.actor("carol")
    remote.publish(remote.note(carol, 1, content="as carol wrote it"))
    embedded = remote.note(carol, 1, content="as bob would have it")
    boost = {"id": f"{bob.uri}/announces/1", "type": "Announce", "actor": bob.uri, "to": [PUBLIC],
             "object": embedded}
    await deliver(fed_client, bob, boost)
    await drain(fed_app)
    [original] = await _all(fed_app, Post, Post.boost_of_id.is_(None))
    assert (original.author.uri, original.content_html) == (carol.uri, "<p>as carol wrote it</p>")


async def test_inbox_trust_a_new_key_is_taken_only_from_the_actor_itself(fed_app, fed_client, remote):
    alice, bob = remote.actor("alice"), remote.actor("bob")
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202  # alice's key known
    doc = alice.document()
    doc["publicKey"]["publicKeyPem"] = bob.public_pem
    update = {"id": f"{alice.uri}#updates/1", "type": "Update", "actor": alice.uri, "to": [PUBLIC], "object": doc}
    await deliver(fed_client, bob, update)
    # Bob's private key under alice's key id: refused, alice's key is still hers.
    body = json.dumps(create(remote.note(alice, 2))).encode()
    headers = signed_headers(bob, str(fed_client.base_url) + "/inbox", body)
    headers["Signature"] = headers["Signature"].replace(bob.key_id, alice.key_id)
    assert (await fed_client.post("/inbox", content=body, headers=headers)).status_code == 401
    assert (await deliver(fed_client, alice, create(remote.note(alice, 3)))).status_code == 202


async def test_inbox_trust_a_note_without_author_is_credited_to_the_actor_that_signed_its_create(fed_app, fed_client,
                                                                                                   remote):
    alice, bob = remote.actor("alice"), remote.actor("bob")
    note = remote.note(alice, 1)
    del note["attributedTo"]
    assert (await deliver(fed_client, alice, create(note, alice))).status_code == 202
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert (post.uri, post.author.uri) == (note["id"], alice.uri)
    # Without her signature, the post must name its author where its origin serves it.
    remote.publish(remote.note(alice, 2) | {"attributedTo": None})
    await deliver(fed_client, bob, create(remote.note(alice, 2), alice))
    # And an attributedTo naming someone else is refused, signed or not.
    await deliver(fed_client, alice, create(remote.note(bob, 3), alice) | {"id": f"{alice.uri}/c/3"})
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]
    first, second = await _failures(fed_app)
    assert "attributedTo must name an actor" in first and f"attributed to {bob.uri}" in second


async def test_inbox_trust_a_key_id_claimed_on_another_origin_is_ignored(fed_app, fed_client, remote):
    alice, mallory = remote.actor("alice"), remote.actor("mallory")
    squatter = mallory.uri.replace("127.0.0.1", "localhost")  # another origin (the same loopback server)
    remote.docs["/users/mallory"] = {**mallory.document(), "id": squatter, "publicKey": {
        "id": alice.key_id, "owner": squatter, "publicKeyPem": mallory.public_pem}}
    async with fed_app.state.sessions() as session:
        stored = await fetch_actor(fed_app.state.runtime, session, squatter)
        assert stored.public_key_id is None
        await session.commit()
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202


async def test_inbox_trust_a_key_id_has_one_owner_confirmed_by_its_origin(fed_app, fed_client, remote):
    gts = remote.actor("gts")
    gts.key_suffix = "/main-key"  # GoToSocial: the key's own URL serves a stub naming its owner
    remote.publish(gts)
    remote.docs["/users/gts/main-key"] = {"id": gts.uri, "type": "Person", "publicKey": gts.document()["publicKey"]}
    other = remote.actor("other")  # on the same host, claiming gts's key id with a key of its own
    remote.publish({**other.document(), "publicKey": {"id": gts.key_id, "owner": other.uri,
                                                       "publicKeyPem": other.public_pem}})
    async with fed_app.state.sessions() as session:
        await fetch_actor(fed_app.state.runtime, session, other.uri)
        await session.commit()
    assert (await deliver(fed_client, gts, create(remote.note(gts, 1)))).status_code == 202
    claimants = await _all(fed_app, Actor, Actor.public_key_id == gts.key_id)
    assert [a.uri for a in claimants] == [gts.uri]


def _followers_only(remote, author, member_actor, n: int) -> dict:
    return remote.note(author, n, to=[author.followers, member_actor.uri], cc=[],
                       tag=[{"type": "Mention", "href": member_actor.uri}])


async def test_inbox_trust_a_delete_signed_by_another_actor_needs_a_410_for_a_post_hidden_from_us(fed_app, fed_client,
                                                                                                   remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    note = _followers_only(remote, carol, dana, 1)
    await deliver(fed_client, carol, create(note))
    await drain(fed_app)
    # Carol's origin answers our instance actor 404 for a post it may not see: no proof of anything.
    delete = activities.delete(f"{note['id']}#delete", carol.uri, note["id"])
    await deliver(fed_client, bob, delete)
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]
    assert "cannot fetch" in (await _failures(fed_app))[0]
    remote.gone.add(note["id"].removeprefix(remote.base))
    await deliver(fed_client, bob, {**delete, "id": delete["id"] + "-again"})
    await drain(fed_app)
    assert await _all(fed_app, Post) == []


async def test_inbox_trust_a_delete_signed_by_another_actor_never_blocks_a_post_to_come(fed_app, fed_client, remote):
    await member(fed_app, "dana")
    bob, carol = remote.actor("bob"), remote.actor("carol")
    future = remote.note(carol, 7)
    remote.gone.add(future["id"].removeprefix(remote.base))  # even its origin's 410 does not let it be pre-blocked
    await deliver(fed_client, bob, activities.delete(f"{future['id']}#delete", carol.uri, future["id"]))
    await drain(fed_app)
    assert "not held here" in (await _failures(fed_app))[0]
    remote.gone.clear()
    await deliver(fed_client, carol, create(future))
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [future["id"]]


async def test_inbox_trust_a_delete_signed_by_another_actor_of_an_object_off_its_origin_fetches_nothing(
        fed_app, fed_client, remote):
    bob, carol = remote.actor("bob"), remote.actor("carol")
    elsewhere = carol.uri.replace("127.0.0.1", "localhost") + "/statuses/1"
    await deliver(fed_client, bob, activities.delete(f"{carol.uri}/deletes/1", carol.uri, elsewhere))
    remote.requested.clear()
    await drain(fed_app)
    assert "not on its actor's origin" in (await _failures(fed_app))[0]
    assert "/users/carol/statuses/1" not in remote.requested


async def test_inbox_trust_a_bookwyrm_key_under_its_actors_trailing_slash_is_the_actors(fed_app, fed_client, remote):
    mouse = remote.actor("mouse")
    mouse.key_suffix = "/#main-key"  # BookWyrm: `{actor}/#main-key`
    remote.publish(mouse)
    remote.docs["/users/mouse/"] = mouse.document()  # the key's document, as BookWyrm serves it too
    assert (await deliver(fed_client, mouse, create(remote.note(mouse, 1)))).status_code == 202
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [f"{mouse.uri}/statuses/1"]


def test_inbox_trust_a_fragment_key_belongs_to_its_document_up_to_normalisation():
    owner = "https://Books.Example:443/user/mouse"
    assert key_belongs_to("https://books.example/user/mouse/#main-key", owner)
    assert key_belongs_to("HTTPS://books.example/user/mouse#main-key", owner)
    assert not key_belongs_to("https://books.example/user/mousetrap#main-key", owner)
    assert not key_belongs_to("https://books.example:8443/user/mouse#main-key", owner)
    assert not key_belongs_to("https://other.example/user/mouse/#main-key", owner)


async def test_inbox_trust_a_forwarder_does_not_address_a_fetched_post(fed_app, fed_client, remote):
    bob, carol = remote.actor("bob"), remote.actor("carol")
    remote.publish(remote.note(carol, 1) | {"to": [], "cc": []})  # as its origin serves it: no audience
    await deliver(fed_client, bob, create(remote.note(carol, 1)) | {"to": [PUBLIC], "cc": []})
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert (post.visibility, post.to, post.cc) == ("direct", [], [])


async def test_inbox_trust_the_actors_own_copy_replaces_a_copy_signed_by_another(fed_app, fed_client, remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    queued, refused = _followers_only(remote, carol, dana, 1), _followers_only(remote, carol, dana, 2)
    assert (await deliver(fed_client, bob, create(queued))).status_code == 202  # bob's copy first, still queued
    assert (await deliver(fed_client, bob, create(refused))).status_code == 202
    await drain(fed_app)  # refused: carol's origin does not show us her followers-only post
    assert len(await _failures(fed_app)) == 2
    for note in (queued, refused):
        assert (await deliver(fed_client, carol, create(note))).status_code == 202  # carol's own delivery
    await drain(fed_app)
    assert sorted(p.uri for p in await _all(fed_app, Post)) == [queued["id"], refused["id"]]
    assert {(i.signer, i.state) for i in await _all(fed_app, InboxItem)} == {(carol.uri, "done")}


async def test_inbox_trust_a_copy_signed_by_another_does_not_replace_the_actors_own(fed_app, fed_client, remote):
    alice, bob = remote.actor("alice"), remote.actor("bob")
    note = remote.note(alice, 1, content="alice's words")
    await deliver(fed_client, alice, create(note))
    await deliver(fed_client, bob, create(note | {"content": "bob's words"}))
    [item] = await _all(fed_app, InboxItem)
    assert (item.signer, item.activity["object"]["content"]) == (alice.uri, "<p>alice's words</p>")


async def test_inbox_trust_a_refused_copy_signed_by_another_is_not_remembered_as_seen(fed_app, fed_client, remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    note = _followers_only(remote, carol, dana, 1)
    await deliver(fed_client, bob, create(note))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        await session.execute(update(InboxItem).values(next_try_at=utcnow() - FAILED_KEEP - timedelta(minutes=1)))
        while await prune(session):
            await session.commit()
        await session.commit()
    assert await _all(fed_app, InboxItem) == [] and await _all(fed_app, SeenActivity) == []
    await deliver(fed_client, carol, create(note))
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]


async def test_inbox_trust_an_activity_not_signed_by_its_actor_that_could_change_nothing_costs_no_fetch(
        fed_app, fed_client, remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    remote_post = remote.note(bob, 1)
    await deliver(fed_client, bob, create(remote_post))
    await drain(fed_app)
    ignored = [activities.like(f"{carol.uri}/likes/1", carol.uri, remote_post["id"]),  # not our post
               {"id": f"{carol.uri}/dislikes/1", "type": "Dislike", "actor": carol.uri, "object": remote_post["id"]},
               {"id": f"{carol.uri}/undo/1", "type": "Undo", "actor": carol.uri, "object": f"{carol.uri}/likes/9"},
               {"id": f"{carol.uri}/adds/1", "type": "Add", "actor": carol.uri, "object": dana.uri}]
    for activity in ignored:
        assert (await deliver(fed_client, bob, activity)).status_code == 202
    remote.requested.clear()
    await drain(fed_app)
    assert [p for p in remote.requested if p.startswith("/users/carol/")] == []
    assert await _failures(fed_app) == []


async def test_inbox_trust_a_refetched_key_leaves_the_key_cache_of_every_process(fed_app, fed_client, remote):
    await fed_app.state.hub.pump()  # listening, as it is soon after startup
    alice, other = remote.actor("alice"), remote.actor("other")
    assert (await deliver(fed_client, alice, create(remote.note(alice, 1)))).status_code == 202  # key cached
    rotated = RemoteActor(alice.uri, "alice", other.private_pem, other.public_pem)  # same key id, new key
    remote.publish(rotated)
    async with fed_app.state.sessions() as session:
        await fetch_actor(fed_app.state.runtime, session, alice.uri, refresh=True)
        await session.commit()
    keys = intake_of(fed_app.state).keys
    for _ in range(200):  # every process's hub reads the committed event (PostgreSQL: as its NOTIFY arrives)
        await fed_app.state.hub.pump()
        if keys.get(alice.key_id) is None:
            break
        await asyncio.sleep(0.05)
    assert (await deliver(fed_client, alice, create(remote.note(alice, 2)))).status_code == 401  # the old key
    assert (await deliver(fed_client, rotated, create(remote.note(alice, 3)))).status_code == 202


async def test_inbox_trust_the_actors_own_copy_outlives_the_other_copy_being_processed(fed_app, fed_client, remote):
    dana = (await member(fed_app, "dana")).actor
    bob, carol = remote.actor("bob"), remote.actor("carol")
    note = _followers_only(remote, carol, dana, 1)
    await deliver(fed_client, bob, create(note))
    [claimed] = await claim(fed_app.state.runtime, 10)  # bob's copy, being processed
    await deliver(fed_client, carol, create(note))  # carol's own copy arrives meanwhile
    async with fed_app.state.sessions() as session:
        await _finish(session, [claimed.id], state="failed", last_error="refused")  # bob's copy's outcome
        await session.commit()
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]
