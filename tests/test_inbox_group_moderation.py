"""What a remote group's moderators do, with Lemmy's own payloads, applied to our copies: a removal (a Delete by a
moderator) deletes our copy, Lock and Undo(Lock) lock and unlock, Add and Remove with the featured collection pin
and unpin, Block with the group as target bans; only as the group's word (announced by it, or by one of the
moderators its attributedTo lists) and only for posts in that group."""
import json
from pathlib import Path

from server.db.models import Actor, GroupBan, GroupThreadState, InboxItem, Post
from tests.support.fake_remote import PUBLIC, FakeRemote, deliver, drain
from tests.support.members import ALL_SCOPES, member
from tests.test_inbox_groups import _all, _announce, _followed_by

LEMMY = Path(__file__).parent / "data" / "fixtures_real" / "lemmy" / "activities"
LEMMY_HOSTS = ("http://enterprise.lemmy.ml", "https://enterprise.lemmy.ml", "http://ds9.lemmy.ml",
               "https://ds9.lemmy.ml", "http://lemmy-alpha:8541")


def lemmy(name: str, base: str, post: str | None = None) -> dict:
    """A Lemmy payload with its servers moved to the fake remote (one Lemmy), about `post`."""
    text = (LEMMY / name).read_text()
    for host in LEMMY_HOSTS:
        text = text.replace(host, base)
    doc = json.loads(text)
    if post is not None:
        doc = json.loads(json.dumps(doc).replace(f'"{base}/post/2"', f'"{post}"')
                         .replace(f'"{base}/comment/1"', f'"{post}"'))
    return doc


def community(fake: FakeRemote):
    """`main`, moderated by lemmy_alpha (its attributedTo collection, as Lemmy serves it)."""
    group = fake.actor("main", path="/c/main")
    fake.publish({**group.document(), "type": "Group", "attributedTo": f"{group.uri}/moderators",
                  "featured": f"{group.uri}/featured"})
    fake.publish({"id": f"{group.uri}/moderators", "type": "OrderedCollection",
                  "orderedItems": [f"{fake.base}/u/lemmy_alpha"]})
    for name in ("lemmy_alpha", "lemmy_beta", "lemmy_gamma"):
        fake.actor(name, path=f"/u/{name}")
    return group


async def thread(app, client, remote):
    """carol follows `main`, which relays lemmy_beta's Page (post/7) to us."""
    carol = await member(app, "carol", scopes=ALL_SCOPES)
    group = community(remote)
    await _followed_by(app, carol.actor, group)
    announce = lemmy("community/announce_create_page.json", remote.base)
    remote.publish(announce["object"]["object"])
    assert (await deliver(client, group, announce)).status_code == 202
    await drain(app)
    [page] = await _all(app, Post, Post.uri == f"{remote.base}/post/7")
    return carol, group, page


async def relay(app, client, group, activity, n):
    assert (await deliver(client, group, _announce(group, activity, n))).status_code == 202
    await drain(app)


async def state(app, page) -> tuple[bool, bool] | None:
    [row] = await _all(app, GroupThreadState, GroupThreadState.post_id == page.id) or [None]
    return None if row is None else (row.locked, row.pinned_at is not None)


async def test_lemmy_lock_and_undo_lock_lock_and_unlock_our_copy(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    await relay(fed_app, fed_client, group, lemmy("community/lock_page.json", remote.base, page.uri), 10)
    assert await state(fed_app, page) == (True, False)
    threads = (await fed_client.get(f"/api/v1/curbside/groups/{await group_id(fed_app, group)}/threads",
                                    headers=carol.headers)).json()
    assert [(t["uri"], t["curbside_thread"]) for t in threads] == [(page.uri, {"locked": True, "pinned": False})]
    refused = await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "late answer", "in_reply_to_id": str(page.id)})
    assert refused.status_code == 422 and "locked" in refused.json()["error"]
    await relay(fed_app, fed_client, group, lemmy("community/undo_lock_page.json", remote.base, page.uri), 11)
    assert await state(fed_app, page) == (False, False)


async def group_id(app, group) -> int:
    [row] = await _all(app, Actor, Actor.uri == group.uri)
    return row.id


async def test_lemmy_featured_add_and_remove_pin_and_unpin(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    add = lemmy("community/add_featured_post.json", remote.base, page.uri)
    assert add["target"] == f"{group.uri}/featured"
    await relay(fed_app, fed_client, group, add, 10)
    assert await state(fed_app, page) == (False, True)
    remove = {**lemmy("community/remove_featured_post.json", remote.base, page.uri), "id": add["id"] + "-remove"}
    await relay(fed_app, fed_client, group, remove, 11)
    assert await state(fed_app, page) == (False, False)


async def test_lemmy_add_of_a_moderator_is_not_a_pin(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    add_mod = lemmy("community/add_mod.json", remote.base)
    await relay(fed_app, fed_client, group, add_mod, 10)
    assert await state(fed_app, page) is None


async def test_lemmy_removal_by_a_moderator_deletes_our_copy(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    removal = {**lemmy("deletion/remove_note.json", remote.base, page.uri), "actor": f"{remote.base}/u/lemmy_alpha"}
    removal["id"] = f"{remote.base}/activities/delete/removal-1"
    assert removal["object"] == page.uri  # Lemmy's removal: a Delete by someone other than the author
    await relay(fed_app, fed_client, group, removal, 10)
    assert await _all(fed_app, Post, Post.uri == page.uri) == []
    assert remote.docs.get("/post/7") is not None  # removed on the group's word, though its origin still serves it


async def test_lemmy_ban_from_the_community_is_kept(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    block = lemmy("block/block_user.json", remote.base)
    block["object"] = page.author.uri
    assert block["target"] == group.uri
    await relay(fed_app, fed_client, group, block, 10)
    [ban] = await _all(fed_app, GroupBan)
    assert (ban.actor_id, ban.block_uri) == (page.author_id, block["id"])
    undo = lemmy("block/undo_block_user.json", remote.base)
    undo["object"]["object"] = page.author.uri
    await relay(fed_app, fed_client, group, undo, 11)
    assert await _all(fed_app, GroupBan) == []


async def test_moderation_of_a_post_not_in_the_group_is_refused(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    author = remote.actor("dora")
    note = remote.note(author, 1)
    create = {"id": note["id"] + "/activity", "type": "Create", "actor": author.uri, "to": [PUBLIC], "object": note}
    await deliver(fed_client, author, create)
    await drain(fed_app)
    lock = lemmy("community/lock_page.json", remote.base, note["id"])
    await relay(fed_app, fed_client, group, lock, 10)
    [other] = await _all(fed_app, Post, Post.uri == note["id"])
    assert await state(fed_app, other) is None
    [failed] = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert "not a post in that group" in failed.last_error


async def test_moderation_fetched_from_its_actor_counts_only_from_a_listed_moderator(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    by_gamma = {**lemmy("community/lock_page.json", remote.base, page.uri), "actor": f"{remote.base}/u/lemmy_gamma"}
    by_gamma["id"] = f"{remote.base}/activities/lock/by-gamma"
    by_alpha = {**by_gamma, "actor": f"{remote.base}/u/lemmy_alpha", "id": f"{remote.base}/activities/lock/by-alpha"}
    for activity in (by_gamma, by_alpha):
        remote.publish(activity)  # served by their origin: the Announce names them by id
    await relay(fed_app, fed_client, group, by_gamma["id"], 10)
    assert await state(fed_app, page) is None
    [failed] = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert "is not a moderator" in failed.last_error
    await relay(fed_app, fed_client, group, by_alpha["id"], 11)
    assert await state(fed_app, page) == (True, False)


async def test_a_group_that_boosted_a_post_may_not_moderate_it(fed_app, fed_client, remote):
    """Any actor may announce any public post: an unrelated Group's boost of alice's post (ours) or of dora's (not
    addressed to it) does not let it lock, pin or remove them."""
    carol, group, page = await thread(fed_app, fed_client, remote)
    alice = await member(fed_app, "alice", scopes=ALL_SCOPES)
    mine = (await fed_client.post("/api/v1/statuses", headers=alice.headers, json={"status": "ours"})).json()
    dora = remote.actor("dora")
    note = remote.note(dora, 1)
    await deliver(fed_client, dora, {"id": note["id"] + "/activity", "type": "Create", "actor": dora.uri,
                                     "to": [PUBLIC], "object": note})
    await drain(fed_app)
    for n, uri in enumerate((mine["uri"], note["id"])):
        boost = {"id": f"{group.uri}/boosts/{n}", "type": "Announce", "actor": group.uri, "to": [PUBLIC],
                 "cc": [group.followers], "object": uri}
        assert (await deliver(fed_client, group, boost)).status_code == 202
        await drain(fed_app)
        [post] = await _all(fed_app, Post, Post.uri == uri)
        assert await _all(fed_app, Post, Post.boost_of_id == post.id)  # the group's boost is stored
        lock = {**lemmy("community/lock_page.json", remote.base, uri), "id": f"{remote.base}/activities/lock/{n}"}
        add = {**lemmy("community/add_featured_post.json", remote.base, uri), "id": f"{remote.base}/add/{n}"}
        removal = {**lemmy("deletion/remove_note.json", remote.base, uri), "actor": f"{remote.base}/u/lemmy_alpha",
                   "id": f"{remote.base}/activities/delete/removal-{n}"}
        for i, activity in enumerate((lock, add, removal)):
            await relay(fed_app, fed_client, group, activity, 100 + 10 * n + i)
        assert await state(fed_app, post) is None
        assert await _all(fed_app, Post, Post.uri == uri)  # not removed
    failed = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert failed and all("not a post in that group" in f.last_error for f in failed)


async def test_a_reply_to_a_comment_in_a_locked_remote_thread_is_refused(fed_app, fed_client, remote):
    carol, group, page = await thread(fed_app, fed_client, remote)
    dora = remote.actor("dora")
    comment = remote.note(dora, 1, inReplyTo=page.uri, cc=[group.uri])
    await deliver(fed_client, dora, {"id": comment["id"] + "/activity", "type": "Create", "actor": dora.uri,
                                     "to": [PUBLIC], "object": comment})
    await drain(fed_app)
    [stored] = await _all(fed_app, Post, Post.uri == comment["id"])
    await relay(fed_app, fed_client, group, lemmy("community/lock_page.json", remote.base, page.uri), 10)
    assert await state(fed_app, page) == (True, False)
    refused = await fed_client.post("/api/v1/statuses", headers=carol.headers,
                                    json={"status": "late answer", "in_reply_to_id": str(stored.id)})
    assert refused.status_code == 422 and "locked" in refused.json()["error"]
