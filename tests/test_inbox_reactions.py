"""Like, Announce and their Undo; actor Update/Delete/Move and Flag, as processed by the runner."""
import pytest
from sqlalchemy import select

from federation import activities
from server.db.ids import snowflake
from server.db.models import Actor, Follow, HomeTimelineEntry, InboxItem, Like, Notification, Post
from tests.support.fake_remote import PUBLIC, create, deliver, drain
from tests.support.members import member


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _local_post(app, author: Actor, n: int, visibility: str = "public") -> Post:
    async with app.state.sessions() as session:
        post = Post(id=snowflake(), uri=f"{author.uri}/statuses/{n}", author_id=author.id, local=True,
                    visibility=visibility, content_html="<p>local</p>")
        session.add(post)
        await session.commit()
        return post


async def _post(app, uri: str) -> Post:
    [post] = await _all(app, Post, Post.uri == uri)
    return post


async def test_inbox_like_and_undo_like_move_the_count(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    post = await _local_post(fed_app, carol, 1)
    alice = remote.actor("alice")
    like = activities.like(f"{alice.uri}#likes/1", alice.uri, post.uri)
    await deliver(fed_client, alice, like)
    await deliver(fed_client, alice, {**like, "id": like["id"] + "-again"})  # a second Like: counted once
    await drain(fed_app)
    assert (await _post(fed_app, post.uri)).likes_count == 1
    assert [(n.type, n.recipient_id) for n in await _all(fed_app, Notification)] == [("favourite", carol.id)]
    await deliver(fed_client, alice, activities.undo(f"{alice.uri}#likes/1/undo", alice.uri, like))
    await drain(fed_app)
    assert (await _post(fed_app, post.uri)).likes_count == 0
    assert await _all(fed_app, Like) == []


async def test_inbox_like_of_a_members_only_post_is_refused(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    post = await _local_post(fed_app, carol, 2, visibility="local")
    alice = remote.actor("alice")
    await deliver(fed_client, alice, activities.like(f"{alice.uri}#likes/2", alice.uri, post.uri))
    await drain(fed_app)
    assert (await _post(fed_app, post.uri)).likes_count == 0
    [item] = await _all(fed_app, InboxItem)
    assert item.state == "failed" and "may not see" in item.last_error


async def test_inbox_announce_fetches_the_original_and_reaches_the_boosters_followers(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice, bob = remote.actor("alice"), remote.actor("bob")
    original = remote.note(alice, 1, content="worth sharing")
    remote.publish(original)
    # carol follows bob (bob becomes known through a first activity)
    await deliver(fed_client, bob, activities.like(f"{bob.uri}/l/0", bob.uri, "http://curbside.test/x"))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        bob_id = (await session.execute(select(Actor.id).where(Actor.uri == bob.uri))).scalar_one()
        session.add(Follow(follower_id=carol.id, followed_id=bob_id, uri=f"{carol.uri}/f/1", state="accepted"))
        await session.commit()
    announce = activities.announce(f"{bob.uri}/statuses/50/activity", bob.uri, original["id"],
                                   "2024-05-02T00:00:00Z", to=[PUBLIC], cc=[bob.followers])
    await deliver(fed_client, bob, announce)
    await drain(fed_app)
    fetched = await _post(fed_app, original["id"])
    assert "worth sharing" in fetched.content_html and fetched.boosts_count == 1
    boost = await _post(fed_app, announce["id"])
    assert boost.boost_of_id == fetched.id
    timeline = await _all(fed_app, HomeTimelineEntry, HomeTimelineEntry.owner_id == carol.id)
    assert [e.post_id for e in timeline] == [boost.id]
    await deliver(fed_client, bob, activities.undo(f"{bob.uri}/statuses/50/undo", bob.uri, announce))
    await drain(fed_app)
    assert (await _post(fed_app, original["id"])).boosts_count == 0
    assert await _all(fed_app, HomeTimelineEntry) == []


async def test_inbox_announce_of_a_local_post_notifies_and_private_ones_are_refused(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    public, private = await _local_post(fed_app, carol, 3), await _local_post(fed_app, carol, 4, "private")
    alice = remote.actor("alice")
    for n, post in enumerate((public, private)):
        await deliver(fed_client, alice, activities.announce(f"{alice.uri}/boosts/{n}", alice.uri, post.uri,
                                                             "2024-05-02T00:00:00Z", [PUBLIC], []))
    await drain(fed_app)
    assert (await _post(fed_app, public.uri)).boosts_count == 1
    assert (await _post(fed_app, private.uri)).boosts_count == 0
    assert [n.type for n in await _all(fed_app, Notification)] == ["reblog"]


async def test_inbox_update_and_delete_of_an_actor(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    liked = await _local_post(fed_app, carol, 5)
    alice = remote.actor("alice")
    await deliver(fed_client, alice, create(remote.note(alice, 1)))
    await deliver(fed_client, alice, activities.like(f"{alice.uri}#likes/1", alice.uri, liked.uri))
    profile = {**alice.document(), "name": "Dr Alice"}
    await deliver(fed_client, alice, activities.update(f"{alice.uri}#updates/1", alice.uri, profile, to=[PUBLIC]))
    await drain(fed_app)
    [row] = await _all(fed_app, Actor, Actor.uri == alice.uri)
    assert row.display_name == "Dr Alice"
    assert (await _post(fed_app, liked.uri)).likes_count == 1
    await deliver(fed_client, alice, activities.delete(f"{alice.uri}#delete", alice.uri, alice.uri, to=[PUBLIC]))
    await drain(fed_app)
    assert await _all(fed_app, Actor, Actor.uri == alice.uri) == []
    assert [p.uri for p in await _all(fed_app, Post)] == [liked.uri]
    assert (await _post(fed_app, liked.uri)).likes_count == 0


async def test_inbox_actor_may_not_update_or_delete_another(fed_app, fed_client, remote):
    alice, mallory = remote.actor("alice"), remote.actor("mallory")
    await deliver(fed_client, alice, create(remote.note(alice, 1)))
    await deliver(fed_client, mallory, activities.delete(f"{mallory.uri}#d", mallory.uri, alice.uri))
    await deliver(fed_client, mallory, activities.update(f"{mallory.uri}#u", mallory.uri,
                                                         {**alice.document(), "name": "pwned"}))
    await drain(fed_app)
    [row] = await _all(fed_app, Actor, Actor.uri == alice.uri)
    assert row.display_name != "pwned" and len(await _all(fed_app, Post)) == 1
    failed = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert {i.activity_uri for i in failed} == {f"{mallory.uri}#d", f"{mallory.uri}#u"}


async def test_inbox_flag_is_processed_and_logged(fed_app, fed_client, remote, caplog):
    alice = remote.actor("alice")
    flag = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}/flags/1", "type": "Flag",
            "actor": alice.uri, "content": "spam", "object": ["http://curbside.test/users/carol"]}
    await deliver(fed_client, alice, flag)
    caplog.set_level("INFO", logger="curbside.inbox")
    await drain(fed_app)
    assert {i.state for i in await _all(fed_app, InboxItem)} == {"done"}
    assert "report" in caplog.text


@pytest.mark.parametrize("extra, expected", [
    ({"curbside:reportCategory": "patient_privacy", "category": "violation"}, "patient_privacy"),
    ({"category": "spam"}, "spam"),
    ({"category": "something-new"}, "other"),
    ({}, "other"),
])
async def test_inbox_flag_keeps_the_senders_category(fed_app, fed_client, remote, extra, expected):
    from server.db.models import Report

    await member(fed_app, "carol")
    alice = remote.actor("alice")
    flag = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}/flags/2", "type": "Flag",
            "actor": alice.uri, "content": "look", "object": ["http://curbside.test/users/carol"], **extra}
    await deliver(fed_client, alice, flag)
    await drain(fed_app)
    [report] = await _all(fed_app, Report)
    assert report.category == expected and report.origin == "remote"


async def test_inbox_move_records_it_and_moves_members_follows(fed_app, fed_client, remote):
    from server.db.models import Delivery

    carol = (await member(fed_app, "carol")).actor
    alice, new = remote.actor("alice"), remote.actor("alice2")
    new.also_known_as = [alice.uri]
    remote.publish(new)
    await deliver(fed_client, alice, activities.like(f"{alice.uri}#likes/0", alice.uri, "http://nowhere.example/x"))
    await drain(fed_app)
    [old] = await _all(fed_app, Actor, Actor.uri == alice.uri)
    async with fed_app.state.sessions() as session:
        session.add(Follow(follower_id=carol.id, followed_id=old.id, uri=f"{carol.uri}#follows/1", state="accepted"))
        await session.commit()
    move = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}#moves/1", "type": "Move",
            "actor": alice.uri, "object": alice.uri, "target": new.uri}
    await deliver(fed_client, alice, move)
    await drain(fed_app)
    [old] = await _all(fed_app, Actor, Actor.uri == alice.uri)
    [moved] = await _all(fed_app, Actor, Actor.uri == new.uri)
    assert old.moved_to_uri == new.uri
    follows = {(f.followed_id, f.state) for f in await _all(fed_app, Follow, Follow.follower_id == carol.id)}
    assert follows == {(moved.id, "pending")}
    sent = {(d.inbox, __import__("json").loads(d.body)["type"]) for d in await _all(fed_app, Delivery)}
    assert {(f"{new.uri}/inbox", "Follow"), (f"{alice.uri}/inbox", "Undo")} <= sent


async def test_inbox_move_to_an_account_that_does_not_claim_the_old_one_is_refused(fed_app, fed_client, remote):
    alice, impostor = remote.actor("alice"), remote.actor("impostor")
    remote.publish(impostor)
    move = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.uri}#moves/2", "type": "Move",
            "actor": alice.uri, "object": alice.uri, "target": impostor.uri}
    await deliver(fed_client, alice, move)
    await drain(fed_app)
    [item] = await _all(fed_app, InboxItem)
    assert item.state == "failed" and "alsoKnownAs" in item.last_error


async def test_inbox_batch_that_writes_as_it_goes_commits_in_parts_on_sqlite(fed_app, fed_client, remote, monkeypatch):
    """Handlers that write at once (Likes of local posts) take SQLite's write lock early in a batch: once it has
    been held for LOCK_BUDGET, what is done is committed (here after every item), so the intake is not kept out
    for the whole batch. A failure then costs only the uncommitted part: nothing is counted twice, the failing
    Like is recorded, the one after it done. PostgreSQL keeps one transaction and redoes those before it."""
    from server.jobs import inbox
    from server.jobs.inbox import InboxRunner

    monkeypatch.setattr(inbox, "LOCK_BUDGET", 0.0)
    parts, real = [], InboxRunner._commit

    async def counted(session, batch, items):
        parts.append(len(items))
        return await real(session, batch, items)

    monkeypatch.setattr(InboxRunner, "_commit", staticmethod(counted))
    carol = (await member(fed_app, "carol")).actor
    public, members_only = await _local_post(fed_app, carol, 5), await _local_post(fed_app, carol, 6, "local")
    likers = [remote.actor(name) for name in ("alice", "bob", "cyd", "dee")]
    for n, (liker, post) in enumerate(zip(likers, (public, public, members_only, public))):
        await deliver(fed_client, liker, activities.like(f"{liker.uri}#likes/{n}", liker.uri, post.uri))
    assert await InboxRunner().run_once(fed_app.state.runtime) == 4
    assert parts == ([1, 1, 1] if fed_app.state.settings.is_sqlite else [2, 1])
    assert (await _post(fed_app, public.uri)).likes_count == 3
    assert len(await _all(fed_app, Notification, Notification.type == "favourite")) == 3
    items = sorted(await _all(fed_app, InboxItem), key=lambda i: i.id)
    assert [i.state for i in items] == ["done", "done", "failed", "done"]
