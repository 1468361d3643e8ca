"""Create, Update and Delete of posts, home-timeline fan-out and mentions, as processed by the runner."""
from sqlalchemy import select

from federation import activities
from server.db.ids import snowflake
from server.db.models import (
    Actor,
    Follow,
    HomeTimelineEntry,
    InboxItem,
    Mention,
    Notification,
    Post,
    PostEdit,
    PostTag,
    StreamEvent,
)
from tests.support.fake_remote import PUBLIC, create, deliver, drain
from tests.support.members import member


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _timeline(app, owner: Actor) -> list[str]:
    async with app.state.sessions() as session:
        query = (select(Post.uri).join(HomeTimelineEntry, HomeTimelineEntry.post_id == Post.id)
                 .where(HomeTimelineEntry.owner_id == owner.id).order_by(Post.id))
        return list((await session.execute(query)).scalars())


async def _follow(app, client, remote_actor, local) -> None:
    """`local` follows `remote_actor` (accepted), the remote actor being stored first."""
    await deliver(client, remote_actor, activities.like(f"{remote_actor.uri}/l/0", remote_actor.uri,
                                                        "http://curbside.test/nothing"))
    await drain(app)
    async with app.state.sessions() as session:
        remote_id = (await session.execute(select(Actor.id).where(Actor.uri == remote_actor.uri))).scalar_one()
        session.add(Follow(follower_id=local.id, followed_id=remote_id, uri=f"{local.uri}/follows/{remote_id}",
                           state="accepted"))
        await session.commit()


async def _item(app, activity_id: str) -> InboxItem:
    [item] = await _all(app, InboxItem, InboxItem.activity_uri == activity_id)
    return item


async def test_inbox_create_lands_in_followers_home_timelines_only(fed_app, fed_client, remote):
    carol, dan = (await member(fed_app, "carol")).actor, (await member(fed_app, "dan")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, fed_client, alice, carol)
    public = remote.note(alice, 1, tag=[{"type": "Hashtag", "name": "#Cardiology"}])
    private = remote.note(alice, 2, to=[alice.followers], cc=[])
    for note in (public, private):
        assert (await deliver(fed_client, alice, create(note))).status_code == 202
    await drain(fed_app)
    assert sorted(await _timeline(fed_app, carol)) == [public["id"], private["id"]]
    assert await _timeline(fed_app, dan) == []
    posts = {p.uri: p for p in await _all(fed_app, Post)}
    assert (posts[public["id"]].visibility, posts[private["id"]].visibility) == ("public", "private")
    assert posts[public["id"]].id >> 16 == snowflake(posts[public["id"]].published) >> 16
    assert [t.tag for t in await _all(fed_app, PostTag)] == ["cardiology"]


async def test_inbox_creates_of_a_batch_are_streamed_one_update_each_in_arrival_order(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, fed_client, alice, carol)
    before = {e.id for e in await _all(fed_app, StreamEvent)}
    notes = [remote.note(alice, n, published=f"2024-05-0{4 - n}T10:00:00Z") for n in (1, 2, 3)]  # newest first
    for note in notes:
        await deliver(fed_client, alice, create(note))
    await drain(fed_app)
    ids = {p.uri: p.id for p in await _all(fed_app, Post)}
    events = sorted((e for e in await _all(fed_app, StreamEvent) if e.id not in before), key=lambda e: e.id)
    assert [(e.kind, e.data) for e in events] == [("update", {"post_id": ids[n["id"]]}) for n in notes]


async def test_inbox_direct_post_reaches_the_mentioned_member_only(fed_app, fed_client, remote):
    carol, dan = (await member(fed_app, "carol")).actor, (await member(fed_app, "dan")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, fed_client, alice, carol)
    note = remote.note(alice, 3, to=[dan.uri], cc=[], tag=[{"type": "Mention", "href": dan.uri, "name": "@dan"}])
    await deliver(fed_client, alice, create(note))
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert post.visibility == "direct"
    assert (await _timeline(fed_app, dan), await _timeline(fed_app, carol)) == ([note["id"]], [])
    assert [(m.actor_id, m.post_id) for m in await _all(fed_app, Mention)] == [(dan.id, post.id)]
    assert [(n.type, n.recipient_id) for n in await _all(fed_app, Notification)] == [("mention", dan.id)]


async def test_inbox_create_processed_twice_changes_nothing(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, fed_client, alice, carol)
    note = remote.note(alice, 4, tag=[{"type": "Mention", "href": carol.uri, "name": "@carol"}])
    await deliver(fed_client, alice, create(note))
    await drain(fed_app)
    await deliver(fed_client, alice, {**create(note), "id": note["id"] + "/again"})
    await drain(fed_app)
    assert len(await _all(fed_app, Post)) == 1
    assert len(await _all(fed_app, Notification)) == 1
    assert await _timeline(fed_app, carol) == [note["id"]]


async def test_inbox_create_refuses_a_post_attributed_to_someone_else(fed_app, fed_client, remote):
    alice, bob = remote.actor("alice"), remote.actor("bob")
    activity = create(remote.note(bob, 5), actor=alice)
    await deliver(fed_client, alice, activity)
    await drain(fed_app)
    assert await _all(fed_app, Post) == []
    assert (await _item(fed_app, activity["id"])).state == "failed"


async def test_inbox_create_fetches_an_object_of_another_origin(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    genuine = remote.note(alice, 6, content="the real text")
    remote.publish(genuine)
    forged = {**genuine, "content": "<p>forged</p>", "id": genuine["id"].replace("127.0.0.1", "localhost")}
    activity = create(forged)
    activity["actor"] = forged["attributedTo"] = alice.uri  # relayed under alice's name, object elsewhere
    await deliver(fed_client, alice, activity)
    await drain(fed_app)
    # The object was fetched from localhost:PORT (its origin), which is not alice's origin: refused.
    assert await _all(fed_app, Post) == []
    item = await _item(fed_app, activity["id"])
    assert item.state in ("failed", "queued") and item.last_error
    # A string object is fetched from the origin; only the origin's version is stored.
    await deliver(fed_client, alice, {**create(genuine), "id": genuine["id"] + "/a2", "object": genuine["id"]})
    await drain(fed_app)
    assert ["the real text" in p.content_html for p in await _all(fed_app, Post)] == [True]


async def test_inbox_delete_by_the_author_only(fed_app, fed_client, remote):
    alice, mallory = remote.actor("alice"), remote.actor("mallory")
    note = remote.note(alice, 7)
    await deliver(fed_client, alice, create(note))
    forged = activities.delete(f"{mallory.uri}#delete/1", mallory.uri, activities.tombstone(note["id"]))
    await deliver(fed_client, mallory, forged)
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post)] == [note["id"]]
    assert "may not delete" in (await _item(fed_app, forged["id"])).last_error
    await deliver(fed_client, alice, activities.delete(f"{note['id']}#delete", alice.uri,
                                                       activities.tombstone(note["id"]), to=[PUBLIC]))
    await drain(fed_app)
    assert await _all(fed_app, Post) == []


async def test_inbox_update_keeps_the_previous_version(fed_app, fed_client, remote):
    alice, mallory = remote.actor("alice"), remote.actor("mallory")
    note = remote.note(alice, 8, content="first")
    await deliver(fed_client, alice, create(note))
    edited = {**note, "content": "<p>second</p>", "updated": "2024-05-01T11:00:00Z"}
    await deliver(fed_client, mallory, activities.update(f"{mallory.uri}#u/1", mallory.uri,
                                                         {**edited, "content": "<p>evil</p>"}))
    update = activities.update(f"{note['id']}#updates/1", alice.uri, edited, to=[PUBLIC])
    await deliver(fed_client, alice, update)
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert "second" in post.content_html and post.edited_at is not None
    assert ["first" in e.content_html for e in await _all(fed_app, PostEdit)] == [True]
    await deliver(fed_client, alice, {**update, "id": update["id"] + "-again"})  # the same version again
    await drain(fed_app)
    assert len(await _all(fed_app, PostEdit)) == 1


async def test_inbox_poll_is_stored_with_its_counts(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    question = {**remote.note(alice, 9), "type": "Question", "endTime": "2030-01-01T00:00:00Z",
                "oneOf": [{"type": "Note", "name": "yes", "replies": {"type": "Collection", "totalItems": 3}},
                          {"type": "Note", "name": "no", "replies": {"type": "Collection", "totalItems": 1}}]}
    await deliver(fed_client, alice, create(question))
    await drain(fed_app)
    [post] = await _all(fed_app, Post)
    assert post.object_type == "Question"
    assert [(o["title"], o["votes_count"]) for o in post.poll["options"]] == [("yes", 3), ("no", 1)]
    assert post.poll["multiple"] is False


async def test_inbox_reply_to_a_members_only_post_is_refused(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    async with fed_app.state.sessions() as session:
        secret = Post(id=snowflake(), uri=f"{carol.uri}/statuses/1", author_id=carol.id, local=True,
                      visibility="local", content_html="<p>members only</p>")
        public = Post(id=snowflake(), uri=f"{carol.uri}/statuses/2", author_id=carol.id, local=True,
                      visibility="public", content_html="<p>hello world</p>")
        in_thread = Post(id=snowflake(), uri=f"{carol.uri}/statuses/3", author_id=carol.id, local=True,
                         visibility="private", local_only=True, content_html="<p>followers, in that thread</p>")
        session.add_all([secret, public, in_thread])
        await session.commit()
    bad = remote.note(alice, 10, inReplyTo=secret.uri)
    good = remote.note(alice, 11, inReplyTo=public.uri)
    below = remote.note(alice, 12, inReplyTo=in_thread.uri)
    for note in (bad, good, below):
        await deliver(fed_client, alice, create(note))
    await drain(fed_app)
    assert "members-only" in (await _item(fed_app, bad["id"] + "/activity")).last_error
    assert "members-only" in (await _item(fed_app, below["id"] + "/activity")).last_error
    replies = {p.uri: p for p in await _all(fed_app, Post)}
    assert bad["id"] not in replies and replies[good["id"]].in_reply_to_id == public.id
    assert replies[public.uri].replies_count == 1 and replies[secret.uri].replies_count == 0


async def test_inbox_batch_written_in_parts_survives_a_part_that_fails(fed_app, fed_client, remote, monkeypatch):
    """A batch's closing writes go in parts of batch.CHUNK posts (on SQLite each committed, the write lock
    released between them). When a later part fails, what the earlier parts wrote may stand: the batch is
    done again item by item, and every post is stored once, in its follower's timeline once, streamed once."""
    from server.services.federation.inbox import batch
    from server.services.reading import stream_events

    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await _follow(fed_app, fed_client, alice, carol)
    before = {e.id for e in await _all(fed_app, StreamEvent)}
    notes = [remote.note(alice, n) for n in range(1, 2 * batch.CHUNK + 6)]
    for note in notes:
        assert (await deliver(fed_client, alice, create(note))).status_code == 202
    real, calls = stream_events.write_updates, []

    def second_part_fails(connection, post_ids):
        calls.append(len(post_ids))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(connection, post_ids)

    monkeypatch.setattr(stream_events, "write_updates", second_part_fails)
    await drain(fed_app)
    assert calls[:2] == [batch.CHUNK, batch.CHUNK]  # the batch went in parts, the second failed
    assert sorted(await _timeline(fed_app, carol)) == sorted(n["id"] for n in notes)
    assert len(await _all(fed_app, Post)) == len(notes)
    assert {i.state for i in await _all(fed_app, InboxItem)} == {"done"}
    updates = [e for e in await _all(fed_app, StreamEvent) if e.id not in before and e.kind == "update"]
    assert sorted(e.data["post_id"] for e in updates) == sorted(p.id for p in await _all(fed_app, Post))
