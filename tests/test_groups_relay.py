"""A post addressed to a group hosted here is stored and relayed to the group's followers in an Announce signed
by the group, the Create embedded (as Lemmy's communities do); refused authors and members-only groups relay
nothing off-instance."""
import json
import logging
from pathlib import Path

from sqlalchemy import delete, event, select

from federation import activities
from federation.addressing import PUBLIC
from server.db.models import Delivery, Group, Notification, Post
from server.services.groups import registry
from server.services.groups.registry import GroupFields, NewGroup
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member

LEMMY = Path(__file__).parent / "data" / "fixtures_real" / "lemmy" / "activities"


async def make_group(app, join="open"):
    async with app.state.sessions() as session:
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain,
                                            NewGroup("heart", GroupFields(title="Heart", join=join)), by="test")
        await session.commit()
        return group.actor


async def deliveries(app):
    async with app.state.sessions() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def joined(app, client, group, *followers):
    """`followers` join the group (an open one accepts); the Accepts are cleared."""
    for n, follower in enumerate(followers):
        await deliver(client, follower, activities.follow(f"{follower.uri}/follows/{n}", follower.uri, group.uri))
    await drain(app)
    async with app.state.sessions() as session:
        await session.execute(delete(Delivery))
        await session.commit()


def lemmy_page(remote, author, group, n=1):
    """A thread as Lemmy posts it: a Page with a title, to the group and the public, audience the group."""
    return remote.note(author, n, to=[group.uri, PUBLIC], cc=[], type="Page", name="HFpEF and SGLT2",
                       audience=group.uri)


async def test_lemmy_page_to_the_group_is_stored_and_announced_by_the_group(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    page = lemmy_page(remote, alice, group)
    assert (await deliver(fed_client, alice, create(page), "/groups/heart/inbox")).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        threads = select(Post.uri).where(Post.boost_of_id.is_(None))  # the group's boost of it aside
        assert (await session.execute(threads)).scalars().all() == [page["id"]]
    [delivery] = await deliveries(fed_app)
    announce = json.loads(delivery.body)
    assert delivery.signer_id == group.id and delivery.inbox == remote.base + "/inbox"
    assert (announce["type"], announce["actor"]) == ("Announce", group.uri)
    assert announce["to"] == [PUBLIC] and announce["cc"] == [f"{group.uri}/followers"]
    inner = announce["object"]
    assert (inner["type"], inner["id"], inner["actor"]) == ("Create", page["id"] + "/activity", alice.uri)
    assert (inner["object"]["type"], inner["object"]["name"]) == ("Page", "HFpEF and SGLT2")
    assert "@context" not in inner
    lemmy = json.loads((LEMMY / "community" / "announce_create_page.json").read_text())
    assert set(lemmy) <= set(announce) and set(lemmy["object"]) <= set(inner)  # every key Lemmy's has
    assert announce["audience"] == inner["audience"] == inner["object"]["audience"] == group.uri  # FEP-1b12


async def test_mastodon_note_mentioning_the_group_is_relayed_once(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    note = remote.note(alice, 2, cc=[alice.followers, group.uri],
                       tag=[{"type": "Mention", "href": group.uri, "name": "@heart@curbside.test"}])
    await deliver(fed_client, alice, create(note))
    await deliver(fed_client, alice, create(note))  # delivered twice: relayed once
    await drain(fed_app)
    assert [json.loads(d.body)["object"]["object"]["id"] for d in await deliveries(fed_app)] == [note["id"]]


async def test_direct_note_to_the_group_is_not_relayed(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    await deliver(fed_client, alice, create(remote.note(alice, 3, to=[group.uri], cc=[])))
    await drain(fed_app)
    assert await deliveries(fed_app) == []
    assert any("only public posts" in r.getMessage() for r in caplog.records)


async def test_post_from_one_who_may_not_post_is_not_relayed(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).join_policy = "members"
        await session.commit()
    await deliver(fed_client, alice, create(lemmy_page(remote, alice, group)))
    await drain(fed_app)
    assert await deliveries(fed_app) == []
    assert any("not relaying" in r.getMessage() and "only members of" in r.getMessage() for r in caplog.records)


async def test_members_only_group_never_delivers_off_instance(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, alice, bob)  # joined while the group was federated
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).members_only = True
        await session.commit()
    await deliver(fed_client, alice, create(lemmy_page(remote, alice, group)))
    await drain(fed_app)
    assert await deliveries(fed_app) == []


async def announced(app, group) -> list[dict]:
    """The activities the group relayed (its Announces queued), in order, once each."""
    found = [json.loads(d.body) for d in await deliveries(app) if d.signer_id == group.id]
    return list({a["id"]: a["object"] for a in found}.values())


async def thread_in_group(app, client, remote):
    """heart, with bob (remote) a member, and alice's Lemmy-shaped thread in it; the Announce queued is cleared."""
    group = await make_group(app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(app, client, group, bob)
    page = lemmy_page(remote, alice, group)
    remote.publish(page)
    await deliver(client, alice, create(page), "/groups/heart/inbox")
    await drain(app)
    await joined(app, client, group)
    return group, alice, bob, page


async def test_reply_in_a_group_thread_is_relayed_with_the_threads_context(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    carol = remote.actor("carol")
    reply = remote.note(carol, 1, cc=[carol.followers, alice.uri], inReplyTo=page["id"])  # not naming the group
    await deliver(fed_client, carol, create(reply))
    await drain(fed_app)
    [relayed] = await announced(fed_app, group)
    async with fed_app.state.sessions() as session:
        thread_id = (await session.execute(select(Post.id).where(Post.uri == page["id"]))).scalar_one()
    assert (relayed["type"], relayed["object"]["id"], relayed["audience"]) == ("Create", reply["id"], group.uri)
    assert relayed["object"]["context"] == f"{group.uri}/threads/{thread_id}"
    assert relayed["object"]["audience"] == group.uri


async def test_update_like_undo_and_delete_of_a_group_post_are_relayed(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    edited = {**page, "content": "<p>edited</p>", "updated": "2024-05-02T10:00:00Z"}
    remote.publish(edited)
    update = {"id": f"{page['id']}#updates/1", "type": "Update", "actor": alice.uri, "to": [PUBLIC],
              "object": edited}
    like = {"id": f"{bob.uri}/likes/1", "type": "Like", "actor": bob.uri, "object": page["id"],
            "audience": group.uri}
    undo = {"id": f"{bob.uri}/likes/1/undo", "type": "Undo", "actor": bob.uri, "object": like}
    delete = {"id": f"{page['id']}#delete", "type": "Delete", "actor": alice.uri, "to": [PUBLIC],
              "object": page["id"]}
    for who, activity in ((alice, update), (bob, like), (bob, undo)):
        await deliver(fed_client, who, activity, "/groups/heart/inbox")
        await drain(fed_app)
    del remote.docs[page["id"].removeprefix(remote.base)]  # its origin no longer serves it
    await deliver(fed_client, alice, delete, "/groups/heart/inbox")
    await drain(fed_app)
    relayed = await announced(fed_app, group)
    assert [(a["type"], a["id"]) for a in relayed] == [("Update", update["id"]), ("Like", like["id"]),
                                                        ("Undo", undo["id"]), ("Delete", delete["id"])]
    assert all(a["audience"] == group.uri for a in relayed)
    assert relayed[0]["object"]["content"] == "<p>edited</p>"
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Post.id))).first() is None


async def test_like_or_undo_from_one_who_may_not_post_is_not_relayed(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).join_policy = "members"
        await session.commit()
    stranger = remote.actor("stranger")
    like = {"id": f"{stranger.uri}/likes/1", "type": "Like", "actor": stranger.uri, "object": page["id"]}
    await deliver(fed_client, stranger, like)
    await deliver(fed_client, stranger, {"id": f"{like['id']}/undo", "type": "Undo", "actor": stranger.uri,
                                         "object": like})
    await drain(fed_app)
    assert await announced(fed_app, group) == []


async def test_reply_naming_the_group_to_a_post_not_in_it_is_not_relayed(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    elsewhere = remote.note(alice, 1)
    await deliver(fed_client, alice, create(elsewhere))
    reply = remote.note(bob, 2, cc=[group.uri], inReplyTo=elsewhere["id"])
    await deliver(fed_client, bob, create(reply))
    await drain(fed_app)
    assert await announced(fed_app, group) == []
    assert any("replies to a post not in the group" in r.getMessage() for r in caplog.records)


async def test_local_members_thread_reply_like_edit_and_delete_are_relayed(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    bob = remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    carol, dave = await member(fed_app, "carol"), await member(fed_app, "dave")
    thread = (await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "@heart Who starts SGLT2 inhibitors in clinic?"})).json()
    assert [m["acct"] for m in thread["mentions"]] == ["heart"]
    reply = (await fed_client.post("/api/v1/statuses", headers=dave.headers,
                                   json={"status": "We do", "in_reply_to_id": thread["id"]})).json()
    await fed_client.post(f"/api/v1/statuses/{thread['id']}/favourite", headers=dave.headers)
    await fed_client.post(f"/api/v1/statuses/{thread['id']}/unfavourite", headers=dave.headers)
    await fed_client.put(f"/api/v1/statuses/{reply['id']}", headers=dave.headers, json={"status": "We do, at 3 mo"})
    await fed_client.delete(f"/api/v1/statuses/{reply['id']}", headers=dave.headers)
    relayed = await announced(fed_app, group)
    assert [(a["type"], a["actor"]) for a in relayed] == [
        ("Create", carol.actor.uri), ("Create", dave.actor.uri), ("Like", dave.actor.uri), ("Undo", dave.actor.uri),
        ("Update", dave.actor.uri), ("Delete", dave.actor.uri)]
    context = f"{group.uri}/threads/{thread['id']}"
    assert [a["object"]["context"] for a in relayed[:2]] == [context, context]
    assert (relayed[2]["object"], relayed[3]["object"]["object"]) == (thread["uri"], thread["uri"])
    served = (await fed_client.get(thread["uri"], headers={"Accept": "application/activity+json"})).json()
    assert (served["audience"], served["context"]) == (group.uri, context)  # as other servers fetch it
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Delivery.inbox).where(Delivery.signer_id == group.id))).scalars().all()
        assert not (await session.execute(select(Notification).where(Notification.recipient_id == group.id))).first()


async def test_activity_its_actor_did_not_sign_is_relayed_as_its_origin_serves_it(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    carol = remote.actor("carol")
    reply = remote.note(carol, 1, cc=[group.uri], inReplyTo=page["id"], content="as carol wrote it")
    remote.publish(reply)
    forged = {**create(reply), "object": {**reply, "content": "<p>forged by bob</p>"}, "bcc": ["forged"]}
    like = {"id": f"{carol.uri}/likes/1", "type": "Like", "actor": carol.uri, "object": page["id"]}
    remote.publish(like)
    for activity in (forged, {**like, "audience": "forged"}):
        await deliver(fed_client, bob, activity)  # bob forwards what carol did
    await drain(fed_app)
    relayed = await announced(fed_app, group)
    assert [(a["type"], a["id"]) for a in relayed] == [("Create", forged["id"]), ("Like", like["id"])]
    assert relayed[0]["object"]["content"] == "<p>as carol wrote it</p>" and "bcc" not in relayed[0]
    assert relayed[1]["audience"] == group.uri  # as its origin serves it, and the group's audience


async def test_note_naming_no_group_here_is_stored_without_asking_for_groups(fed_app, fed_client, remote):
    await make_group(fed_app)
    alice = remote.actor("alice")
    asked = []

    def look(conn, cursor, statement, *rest):
        if "groups" in statement:
            asked.append(statement)
    event.listen(fed_app.state.engine.sync_engine, "before_cursor_execute", look)
    try:
        await deliver(fed_client, alice, create(remote.note(alice, 4, cc=[alice.followers, remote.base + "/groups/x"])))
        await drain(fed_app)
    finally:
        event.remove(fed_app.state.engine.sync_engine, "before_cursor_execute", look)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Post.uri))).scalars().all() == [f"{alice.uri}/statuses/4"]
    assert asked == []


async def test_members_here_see_a_new_thread_as_the_groups_boost_and_not_its_replies(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    carol = await member(fed_app, "carol")
    joins = await fed_client.post(f"/api/v1/curbside/groups/{group.id}/join", headers=carol.headers)
    assert joins.status_code == 200, joins.text
    alice = remote.actor("alice")
    page = lemmy_page(remote, alice, group)
    await deliver(fed_client, alice, create(page))
    await deliver(fed_client, alice, create(page))  # delivered again: still one boost
    await deliver(fed_client, alice, create(remote.note(alice, 2, cc=[group.uri], inReplyTo=page["id"])))
    await drain(fed_app)
    home = (await fed_client.get("/api/v1/timelines/home", headers=carol.headers)).json()
    assert [(s["account"]["acct"], s["account"]["group"], s["reblog"]["uri"]) for s in home] == [
        ("heart", True, page["id"])]
    assert await deliveries(fed_app) == []  # carol is here: the boost is stored, nothing is sent
