"""Moderators of a group hosted here remove, lock, pin and ban through /api/v1/curbside/groups/:id/..., each action
audited and federated as Lemmy does (the moderator's activity announced by the group); locked threads and banned
actors are refused by the group; others get a 403 with the reason."""
import json
import logging
from pathlib import Path

from sqlalchemy import select

from federation import activities
from moderation.domains import Severity
from server.db.ids import snowflake
from server.db.models import Actor, AuditEntry, Follow, Group, GroupPost, Post
from server.services.groups import joining, registry, states
from server.services.groups.registry import GroupFields, NewGroup
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import ALL_SCOPES, member
from tests.support.moderation import host_of, set_policy
from tests.test_groups_relay import announced, deliveries, thread_in_group

GROUPS = "/api/v1/curbside/groups"
LEMMY = Path(__file__).parent / "data" / "fixtures_real" / "lemmy" / "activities"


def lemmy(path: str) -> dict:
    return json.loads((LEMMY / path).read_text())


async def moderator(app, group, name="mod"):
    """A member named a moderator of the group (by the group's registry, as `curbside groups moderators add`)."""
    who = await member(app, name, scopes=ALL_SCOPES)
    async with app.state.sessions() as session:
        await registry.add_moderator(session, "curbside.test", await registry.group_by_id(session, group.id), name,
                                     by="test")
        await session.commit()
    return who


async def post_id(app, uri: str) -> int | None:
    async with app.state.sessions() as session:
        return (await session.execute(select(Post.id).where(Post.uri == uri))).scalar_one_or_none()


async def audited(app) -> list[tuple[str, str]]:
    async with app.state.sessions() as session:
        rows = (await session.execute(select(AuditEntry).where(AuditEntry.action.like("group_%"))
                                      .order_by(AuditEntry.id))).scalars()
        return [(e.action, e.actor_name) for e in rows if e.action not in ("group_created", "group_moderator_added")]


async def test_moderator_locks_a_thread_replies_are_refused_then_unlock(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    thread_id = await post_id(fed_app, page["id"])
    done = await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/lock", headers=mod.headers,
                                 json={"reason": "off topic"})
    assert done.status_code == 200, done.text
    assert done.json() == {"id": str(thread_id), "locked": True, "pinned": False}
    [lock] = await announced(fed_app, group)
    assert (lock["type"], lock["actor"], lock["object"], lock["summary"]) == ("Lock", mod.actor.uri, page["id"],
                                                                             "off topic")
    assert set(lemmy("community/lock_page.json")) <= set(lock)  # every key of Lemmy's Lock
    carol = remote.actor("carol")
    await deliver(fed_client, carol, create(remote.note(carol, 1, cc=[group.uri], inReplyTo=page["id"])))
    await drain(fed_app)
    assert [a["type"] for a in await announced(fed_app, group)] == ["Lock"]  # the reply is not relayed
    assert any("the thread is locked" in r.getMessage() for r in caplog.records)
    await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/unlock", headers=mod.headers)
    undo = (await announced(fed_app, group))[-1]
    assert (undo["type"], undo["object"]["type"], undo["object"]["object"]) == ("Undo", "Lock", page["id"])
    await deliver(fed_client, carol, create(remote.note(carol, 2, cc=[group.uri], inReplyTo=page["id"])))
    await drain(fed_app)
    assert (await announced(fed_app, group))[-1]["type"] == "Create"
    assert await audited(fed_app) == [("group_thread_locked", "mod@curbside.test"),
                                      ("group_thread_unlocked", "mod@curbside.test")]


async def test_locked_local_thread_is_served_with_comments_disabled(fed_app, fed_client):
    group = await registry_group(fed_app)
    mod = await moderator(fed_app, group)
    carol = await member(fed_app, "carol")
    thread = (await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "@heart SGLT2 in HFpEF?"})).json()
    served = (await fed_client.get(thread["uri"], headers={"Accept": "application/activity+json"})).json()
    assert (served["commentsEnabled"], served["stickied"]) == (True, False)
    await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread['id']}/lock", headers=mod.headers)
    await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread['id']}/pin", headers=mod.headers)
    served = (await fed_client.get(thread["uri"], headers={"Accept": "application/activity+json"})).json()
    assert (served["commentsEnabled"], served["stickied"]) == (False, True)
    featured = (await fed_client.get(f"{group.uri}/featured", headers={"Accept": "application/activity+json"})).json()
    [page] = featured["orderedItems"]  # a member's thread as its object, as Lemmy reads featured
    assert (page["id"], page["audience"], page["stickied"]) == (thread["uri"], group.uri, True)
    dave = await member(fed_app, "dave")
    reply = await fed_client.post("/api/v1/statuses", headers=dave.headers,
                                  json={"status": "me too", "in_reply_to_id": thread["id"]})
    assert reply.status_code == 422 and "the thread is locked" in reply.json()["error"]
    await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread['id']}/unlock", headers=mod.headers)
    reply = (await fed_client.post("/api/v1/statuses", headers=dave.headers,
                                   json={"status": "me too", "in_reply_to_id": thread["id"]})).json()
    async with fed_app.state.sessions() as session:
        kept = (await session.execute(select(GroupPost.post_id))).scalars().all()
    assert int(reply["id"]) in kept and int(thread["id"]) in kept


async def registry_group(app, **fields):
    async with app.state.sessions() as session:
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain,
                                            NewGroup("heart", GroupFields(title="Heart", **fields)), by="test")
        await session.commit()
        return group.actor


async def test_moderator_pins_a_thread_it_is_featured_and_listed_first(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    newer = remote.note(alice, 9, to=[group.uri, "https://www.w3.org/ns/activitystreams#Public"], cc=[],
                        type="Page", name="Newer", audience=group.uri)
    await deliver(fed_client, alice, create(newer), "/groups/heart/inbox")
    await drain(fed_app)
    thread_id = await post_id(fed_app, page["id"])
    listed = (await fed_client.get(f"{GROUPS}/{group.id}/threads", headers=mod.headers)).json()
    assert [s["uri"] for s in listed] == [newer["id"], page["id"]]
    assert (await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/pin",
                                  headers=mod.headers)).json()["pinned"] is True
    listed = (await fed_client.get(f"{GROUPS}/{group.id}/threads", headers=mod.headers)).json()
    assert [(s["uri"], s["curbside_thread"]["pinned"]) for s in listed] == [(page["id"], True), (newer["id"], False)]
    featured = (await fed_client.get(f"{group.uri}/featured", headers={"Accept": "application/activity+json"})).json()
    assert (featured["totalItems"], featured["orderedItems"]) == (1, [page["id"]])
    add = (await announced(fed_app, group))[-1]
    assert (add["type"], add["object"], add["target"]) == ("Add", page["id"], f"{group.uri}/featured")
    assert set(lemmy("community/add_featured_post.json")) <= set(add)
    await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/unpin", headers=mod.headers)
    removed = (await announced(fed_app, group))[-1]
    assert (removed["type"], removed["target"]) == ("Remove", f"{group.uri}/featured")
    listed = (await fed_client.get(f"{GROUPS}/{group.id}/threads", headers=mod.headers)).json()
    assert [s["uri"] for s in listed] == [newer["id"], page["id"]]


async def test_moderator_removes_a_remote_thread_as_lemmy_does(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    thread_id = await post_id(fed_app, page["id"])
    done = await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/remove", headers=mod.headers,
                                 json={"reason": "identifiable patient"})
    assert done.status_code == 200, done.text
    [removal] = await announced(fed_app, group)
    assert (removal["type"], removal["actor"], removal["object"]) == ("Delete", mod.actor.uri, page["id"])
    assert set(lemmy("deletion/remove_note.json")) <= set(removal)  # Lemmy's removal: a Delete by a moderator
    assert await post_id(fed_app, page["id"]) is None  # our copy is gone
    assert (await fed_client.get(f"{GROUPS}/{group.id}/threads", headers=mod.headers)).json() == []
    assert await audited(fed_app) == [("group_post_removed", "mod@curbside.test")]
    again = await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/remove", headers=mod.headers)
    assert again.status_code == 404


async def test_moderator_bans_a_member_follow_and_posts_refused_then_unban(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    async with fed_app.state.sessions() as session:
        bob_id = (await session.execute(select(Follow.follower_id))).scalar_one()
    done = await fed_client.post(f"{GROUPS}/{group.id}/bans", headers=mod.headers,
                                 json={"account_id": str(bob_id), "reason": "spam"})
    assert done.status_code == 201, done.text
    assert (done.json()["url"], done.json()["reason"]) == (bob.uri, "spam")
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Follow))).first() is None  # no longer a member
    block = [json.loads(d.body) for d in await deliveries(fed_app)]
    assert {d["object"]["type"] for d in block} == {"Block"}
    assert block[0]["object"]["target"] == group.uri and block[0]["object"]["object"] == bob.uri
    assert set(lemmy("block/block_user.json")) - {"removeData", "endTime"} <= set(block[0]["object"])
    assert any(d.inbox.endswith("/inbox") for d in await deliveries(fed_app))  # bob's server hears of it
    listed = (await fed_client.get(f"{GROUPS}/{group.id}/bans", headers=mod.headers)).json()
    assert [b["account_id"] for b in listed] == [str(bob_id)]
    follow = activities.follow(f"{bob.uri}/follows/9", bob.uri, group.uri)
    await deliver(fed_client, bob, follow, "/groups/heart/inbox")
    await deliver(fed_client, bob, create(remote.note(bob, 5, cc=[group.uri], inReplyTo=page["id"])))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Follow))).first() is None
    sent = {json.loads(d.body)["id"]: json.loads(d.body) for d in await deliveries(fed_app)}.values()
    assert [(a["type"], a["object"]["type"]) for a in sent] == [("Announce", "Block"), ("Reject", "Follow")]
    assert any("banned from the group" in r.getMessage() for r in caplog.records)
    gone = await fed_client.delete(f"{GROUPS}/{group.id}/bans/{bob_id}", headers=mod.headers)
    assert gone.status_code == 200
    undo = (await announced(fed_app, group))[-1]
    assert (undo["type"], undo["object"]["type"], undo["object"]["id"]) == ("Undo", "Block", block[0]["object"]["id"])
    assert (await fed_client.delete(f"{GROUPS}/{group.id}/bans/{bob_id}", headers=mod.headers)).status_code == 404
    assert [a for a, _ in await audited(fed_app)] == ["group_member_banned", "group_member_unbanned"]


async def test_others_get_403_with_the_reason_and_admins_may_act(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    thread_id = await post_id(fed_app, page["id"])
    carol = await member(fed_app, "carol", scopes=ALL_SCOPES)
    for path in ("remove", "lock", "unlock", "pin", "unpin"):
        refused = await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/{path}", headers=carol.headers)
        assert refused.status_code == 403 and "moderators" in refused.json()["error"], path
    assert (await fed_client.get(f"{GROUPS}/{group.id}/bans", headers=carol.headers)).status_code == 403
    assert (await fed_client.post(f"{GROUPS}/{group.id}/bans", headers=carol.headers,
                                  json={"account_id": "1"})).status_code == 403
    assert (await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/lock")).status_code == 401
    root = await member(fed_app, "root", role="admin", scopes=ALL_SCOPES)
    assert (await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/lock",
                                  headers=root.headers)).status_code == 200
    missing = await fed_client.post(f"{GROUPS}/{group.id}/threads/123456/lock", headers=root.headers)
    assert missing.status_code == 404
    assert (await fed_client.post(f"{GROUPS}/{group.id}/bans", headers=root.headers, json={})).status_code == 422
    assert (await fed_client.post(f"{GROUPS}/{group.id}/bans", headers=root.headers,
                                  json={"account_id": str(root.actor.id)})).status_code == 422  # an admin moderates
    assert await audited(fed_app) == [("group_thread_locked", "root@curbside.test")]


async def test_moderator_cannot_lock_a_reply_and_a_reason_is_bounded(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    carol = remote.actor("carol")
    reply = remote.note(carol, 1, cc=[group.uri], inReplyTo=page["id"])
    await deliver(fed_client, carol, create(reply))
    await drain(fed_app)
    reply_id = await post_id(fed_app, reply["id"])
    refused = await fed_client.post(f"{GROUPS}/{group.id}/threads/{reply_id}/lock", headers=mod.headers)
    assert refused.status_code == 422 and "only a thread" in refused.json()["error"]
    long = await fed_client.post(f"{GROUPS}/{group.id}/threads/{reply_id}/remove", headers=mod.headers,
                                 json={"reason": "x" * 2000})
    assert long.status_code == 422
    assert (await fed_client.post(f"{GROUPS}/{group.id}/threads/{reply_id}/remove",
                                  headers=mod.headers)).status_code == 200
    assert await post_id(fed_app, reply["id"]) is None and await post_id(fed_app, page["id"]) is not None


async def test_members_only_group_moderation_sends_nothing_off_instance(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).members_only = True
        await session.commit()
    thread_id = await post_id(fed_app, page["id"])
    for path in ("lock", "pin"):
        await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread_id}/{path}", headers=mod.headers)
    async with fed_app.state.sessions() as session:
        bob_id = (await session.execute(select(Follow.follower_id))).scalar_one()
    await fed_client.post(f"{GROUPS}/{group.id}/bans", headers=mod.headers, json={"account_id": str(bob_id)})
    assert await deliveries(fed_app) == []


async def test_suspended_domain_may_neither_join_nor_post_even_if_queued_before(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    await set_policy(fed_app, host_of(remote), Severity.SUSPEND)
    async with fed_app.state.sessions() as session:
        heart = await session.get(Group, group.id)
        alice_row = (await session.execute(select(Actor).where(Actor.uri == alice.uri))).scalar_one()
        decision = await joining.decide(fed_app.state.runtime, session, heart, alice_row)
        posting = await joining.may_post(fed_app.state.runtime, session, heart, alice_row)
    assert decision.refused and "suspended" in decision.reason
    assert posting.refused
    reply = remote.note(alice, 7, cc=[group.uri], inReplyTo=page["id"])
    assert (await deliver(fed_client, alice, create(reply))).status_code == 403
    await drain(fed_app)
    assert await announced(fed_app, group) == []


async def test_reports_about_group_posts_reach_its_moderators(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    carol = await member(fed_app, "carol", scopes=ALL_SCOPES)
    thread_id = await post_id(fed_app, page["id"])
    async with fed_app.state.sessions() as session:
        alice_id = (await session.execute(select(Actor.id).where(Actor.uri == alice.uri))).scalar_one()
    filed = await fed_client.post("/api/v1/reports", headers=carol.headers, json={
        "account_id": str(alice_id), "status_ids": [str(thread_id)], "comment": "names a patient"})
    assert filed.status_code == 200, filed.text
    elsewhere = await fed_client.post("/api/v1/reports", headers=carol.headers, json={
        "account_id": str(alice_id), "comment": "not about the group"})
    assert elsewhere.status_code == 200
    [seen] = (await fed_client.get(f"{GROUPS}/{group.id}/reports", headers=mod.headers)).json()
    assert (seen["status_ids"], seen["comment"]) == ([str(thread_id)], "names a patient")
    assert (await fed_client.get(f"{GROUPS}/{group.id}/reports", headers=carol.headers)).status_code == 403
    admin_view = await fed_client.get("/api/v1/admin/reports", headers=(await member(
        fed_app, "root", role="admin", scopes=ALL_SCOPES)).headers)
    assert len(admin_view.json()) == 2  # the instance's moderators see them too


async def test_lemmy_report_to_the_group_reaches_its_moderators(fed_app, fed_client, remote):
    group, alice, bob, page = await thread_in_group(fed_app, fed_client, remote)
    mod = await moderator(fed_app, group)
    flag = {**lemmy("community/report_page.json"), "id": f"{bob.uri}/flags/1", "actor": bob.uri,
            "to": [group.uri], "audience": group.uri, "object": page["id"]}
    assert (await deliver(fed_client, bob, flag, "/groups/heart/inbox")).status_code == 202
    await drain(fed_app)
    [seen] = (await fed_client.get(f"{GROUPS}/{group.id}/reports", headers=mod.headers)).json()
    assert (seen["status_uris"], seen["comment"], seen["origin"]) == ([page["id"]], "report this post", "remote")


async def test_removing_a_local_thread_takes_the_groups_boost_out_of_home(fed_app, fed_client):
    group = await registry_group(fed_app)
    mod = await moderator(fed_app, group)
    carol, dave = await member(fed_app, "carol"), await member(fed_app, "dave", scopes=ALL_SCOPES)
    assert (await fed_client.post(f"{GROUPS}/{group.id}/join", headers=dave.headers)).status_code == 200
    thread = (await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "@heart SGLT2 in HFpEF?"})).json()
    home = (await fed_client.get("/api/v1/timelines/home", headers=dave.headers)).json()
    assert [s["reblog"]["uri"] for s in home if s["reblog"]] == [thread["uri"]]  # the group's boost
    done = await fed_client.post(f"{GROUPS}/{group.id}/threads/{thread['id']}/remove", headers=mod.headers)
    assert done.status_code == 200, done.text
    home = (await fed_client.get("/api/v1/timelines/home", headers=dave.headers)).json()
    assert [s for s in home if s["reblog"]] == []
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Post.id).where(Post.author_id == group.id))).all() == []
        kept = await session.get(Post, int(thread["id"]))
        assert kept is not None and kept.boosts_count == 0  # carol's own post stays hers


async def test_a_groups_thread_state_is_its_own(fed_app):
    """Another group's lock or pin of a thread leaves the state a group's moderators set untouched."""
    heart = await registry_group(fed_app)
    carol = await member(fed_app, "carol")
    async with fed_app.state.sessions() as session:
        post = Post(id=snowflake(), uri=f"{carol.actor.uri}/statuses/x", author_id=carol.actor.id, local=True,
                    visibility="public", object_type="Note", to=[], cc=[])
        session.add(post)
        await session.flush()
        assert await states.set_locked(session, heart.id, post.id, True) is True
        assert await states.set_locked(session, carol.actor.id, post.id, False) is None
        assert await states.set_pinned(session, carol.actor.id, post.id, True) is None
        assert await states.is_locked(session, post.id, heart.id)
        assert not await states.is_locked(session, post.id, carol.actor.id)
        state = await states.state_of(session, post.id)
        assert (state.group_actor_id, state.locked, state.pinned_at) == (heart.id, True, None)
