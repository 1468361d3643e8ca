"""A group's threads as others read them: the client API's list, the outbox of its Announces, each thread's
FEP-7888 context (so a server that joins late can backfill); the group fetches the thread a reply joins when it
has not seen it; where posting is restricted to moderators, only they start threads."""
import json
import logging

from sqlalchemy import select

from server.db.models import Group, GroupPost, Post
from server.services.groups import registry
from tests.support.fake_remote import PUBLIC, create, deliver, drain
from tests.support.members import ALL_SCOPES, member
from tests.test_groups_relay import announced, deliveries, joined, lemmy_page, make_group, thread_in_group

AP = {"Accept": "application/activity+json"}


async def post_id(app, uri: str) -> int:
    async with app.state.sessions() as session:
        return (await session.execute(select(Post.id).where(Post.uri == uri))).scalar_one()


async def test_threads_api_lists_threads_not_replies_the_page_title_in_its_content(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    reply = remote.note(bob, 1, to=[PUBLIC, group.uri], inReplyTo=page["id"])
    await deliver(fed_client, bob, create(reply))
    await drain(fed_app)
    assert (await fed_client.get(f"/api/v1/curbside/groups/{group.id}/threads")).status_code == 401  # a visitor
    carol = await member(fed_app, "carol")
    listed = (await fed_client.get(f"/api/v1/curbside/groups/{group.id}/threads", headers=carol.headers)).json()
    assert [s["uri"] for s in listed] == [page["id"]]
    assert listed[0]["content"].startswith("<p><strong>HFpEF and SGLT2</strong></p>")
    async with fed_app.state.sessions() as session:
        rows = (await session.execute(select(GroupPost.title).order_by(GroupPost.post_id))).scalars().all()
    assert rows == ["HFpEF and SGLT2", None]


async def test_outbox_pages_the_groups_announces_newest_first(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    reply = remote.note(bob, 1, inReplyTo=page["id"], published="2024-05-02T10:00:00Z")
    await deliver(fed_client, bob, create(reply))
    await drain(fed_app)
    outbox = (await fed_client.get("/groups/heart/outbox", headers=AP)).json()
    assert outbox["totalItems"] == 2
    first = (await fed_client.get(outbox["first"], headers=AP)).json()
    assert [(a["type"], a["actor"], a["object"]) for a in first["orderedItems"]] == [
        ("Announce", group.uri, reply["id"]), ("Announce", group.uri, page["id"])]
    [delivered] = await deliveries(fed_app)  # the reply's Announce: its id is the one the outbox lists
    assert first["orderedItems"][0]["id"] == json.loads(delivered.body)["id"]
    assert (await fed_client.get(first["next"], headers=AP)).json()["orderedItems"] == []


async def test_context_answers_the_threads_public_posts_oldest_first(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    late = remote.note(bob, 1, inReplyTo=page["id"], published="2024-05-03T10:00:00Z")
    early = remote.note(alice, 2, cc=[group.uri], inReplyTo=page["id"], published="2024-05-02T10:00:00Z")
    direct = remote.note(bob, 3, to=[alice.uri], cc=[], inReplyTo=page["id"])
    for author, note in ((bob, late), (alice, early), (bob, direct)):
        await deliver(fed_client, author, create(note))
    await drain(fed_app)
    thread = await post_id(fed_app, page["id"])
    context = await fed_client.get(f"/groups/heart/threads/{thread}", headers=AP)
    assert context.status_code == 200
    doc = context.json()
    assert (doc["type"], doc["id"]) == ("OrderedCollection", f"{group.uri}/threads/{thread}")
    assert doc["orderedItems"] == [page["id"], early["id"], late["id"]]
    assert (await fed_client.get(f"/groups/heart/threads/{thread + 1}", headers=AP)).status_code == 404
    assert (await fed_client.get("/groups/heart/threads/x", headers=AP)).status_code == 404
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).members_only = True
        await session.commit()
    assert (await fed_client.get(f"/groups/heart/threads/{thread}", headers=AP)).status_code == 404


async def test_reply_to_a_thread_never_seen_fetches_it_and_joins_it(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    page = lemmy_page(remote, alice, group)  # its Create never reached us
    comment = remote.note(alice, 2, to=[PUBLIC, group.uri], inReplyTo=page["id"], published="2024-05-02T10:00:00Z")
    for doc in (page, comment):
        remote.publish(doc)
    reply = remote.note(bob, 3, to=[PUBLIC, group.uri], inReplyTo=comment["id"], published="2024-05-03T10:00:00Z")
    await deliver(fed_client, bob, create(reply), "/groups/heart/inbox")
    await drain(fed_app)
    thread = await post_id(fed_app, page["id"])
    doc = (await fed_client.get(f"/groups/heart/threads/{thread}", headers=AP)).json()
    assert doc["orderedItems"] == [page["id"], comment["id"], reply["id"]]
    assert [a["object"]["id"] for a in await announced(fed_app, group)] == [reply["id"]]  # what it received


async def test_reply_whose_thread_cannot_be_fetched_is_stored_not_taken(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO)
    group = await make_group(fed_app)
    bob = remote.actor("bob")
    reply = remote.note(bob, 3, to=[PUBLIC, group.uri], inReplyTo=f"{remote.base}/gone/1")
    await deliver(fed_client, bob, create(reply), "/groups/heart/inbox")
    await drain(fed_app)
    assert await post_id(fed_app, reply["id"])
    assert "cannot fetch" in caplog.text and "replies to a post not in the group" in caplog.text


async def test_posting_restricted_to_mods_only_moderators_start_threads(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    root = await member(fed_app, "root", role="admin", scopes=ALL_SCOPES)
    changed = await fed_client.patch(f"/api/v1/curbside/groups/{group.id}", headers=root.headers,
                                     json={"posting_restricted_to_mods": True})
    assert changed.json()["posting_restricted_to_mods"] is True
    assert (await fed_client.get("/groups/heart", headers=AP)).json()["postingRestrictedToMods"] is True
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, alice, bob)
    carol, mod = await member(fed_app, "carol"), await member(fed_app, "mod")
    async with fed_app.state.sessions() as session:
        await registry.add_moderator(session, "curbside.test", await session.get(Group, group.id), "mod", by="test")
        await session.commit()
    await deliver(fed_client, alice, create(lemmy_page(remote, alice, group)), "/groups/heart/inbox")
    await fed_client.post("/api/v1/statuses", headers=carol.headers, json={"status": "@heart a thread of mine"})
    thread = (await fed_client.post("/api/v1/statuses", headers=mod.headers, json={"status": "@heart rules"})).json()
    await drain(fed_app)
    reply = remote.note(bob, 1, to=[PUBLIC, group.uri], inReplyTo=thread["uri"])
    await deliver(fed_client, bob, create(reply), "/groups/heart/inbox")
    await drain(fed_app)
    assert [(a["actor"], a["object"]["id"]) for a in await announced(fed_app, group)] == [
        (mod.actor.uri, thread["uri"]), (bob.uri, reply["id"])]
    assert caplog.text.count("only its moderators start threads") == 2


async def test_members_only_group_keeps_its_members_threads_here(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    await joined(fed_app, fed_client, group, remote.actor("bob"))  # joined while the group was federated
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).members_only = True
        await session.commit()
    carol, dave = await member(fed_app, "carol"), await member(fed_app, "dave")
    thread = (await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "@heart A case from clinic", "visibility": "public"})).json()
    assert thread["visibility"] == "local"  # a post to a members-only group stays here
    reply = (await fed_client.post("/api/v1/statuses", headers=dave.headers,
                                   json={"status": "Seen it too", "in_reply_to_id": thread["id"]})).json()
    listed = (await fed_client.get(f"/api/v1/curbside/groups/{group.id}/threads", headers=dave.headers)).json()
    assert [s["id"] for s in listed] == [thread["id"]]
    async with fed_app.state.sessions() as session:
        kept = (await session.execute(select(GroupPost.post_id, GroupPost.thread_id).order_by(GroupPost.post_id)))
        assert kept.all() == [(int(thread["id"]), int(thread["id"])), (int(reply["id"]), int(thread["id"]))]
    assert await deliveries(fed_app) == []
    assert (await fed_client.get(f"/groups/heart/threads/{thread['id']}", headers=AP)).status_code == 404
