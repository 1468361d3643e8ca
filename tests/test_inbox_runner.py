"""The inbox runner: leases, retries with backoff on remote failures, failure on refusals."""
from datetime import timedelta

from sqlalchemy import select, update

from server.db.models import InboxItem
from server.db.types import utcnow
from server.jobs.inbox import BACKOFF, MAX_ATTEMPTS, InboxRunner, claim
from tests.support.fake_remote import create, deliver, drain


async def _item(app) -> InboxItem:
    async with app.state.sessions() as session:
        return (await session.execute(select(InboxItem))).scalar_one()


async def _set(app, **values) -> None:
    async with app.state.sessions() as session:
        await session.execute(update(InboxItem).values(**values))
        await session.commit()


async def test_inbox_runner_leases_items_to_one_claimer(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    await deliver(fed_client, alice, create(remote.note(alice, 1)))
    runtime = fed_app.state.runtime
    first, second = await claim(runtime, 10), await claim(runtime, 10)
    assert [c.attempts for c in first] == [1] and second == []
    await _set(fed_app, locked_until=utcnow() - timedelta(seconds=1))  # the claimer died; the lease ran out
    assert [c.attempts for c in await claim(runtime, 10)] == [2]


async def test_inbox_runner_retries_remote_failures_with_backoff_then_fails(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    await deliver(fed_client, alice, {**create(remote.note(alice, 1)), "object": "http://unreachable.invalid/n/1"})
    before = utcnow()
    assert await InboxRunner().run_once(fed_app.state.runtime) == 1
    item = await _item(fed_app)
    assert (item.state, item.attempts, item.locked_until) == ("queued", 1, None)
    assert "unreachable.invalid" in item.last_error
    assert before + BACKOFF[0] <= item.next_try_at <= utcnow() + BACKOFF[0]
    assert await InboxRunner().run_once(fed_app.state.runtime) == 0  # not due yet
    await _set(fed_app, next_try_at=before, attempts=MAX_ATTEMPTS - 1)
    await drain(fed_app)
    item = await _item(fed_app)
    assert (item.state, item.attempts) == ("failed", MAX_ATTEMPTS)


async def test_inbox_runner_fails_an_unusable_activity_at_once(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    note = {**remote.note(alice, 1), "type": "Note", "id": "not a url"}
    await deliver(fed_client, alice, {**create(remote.note(alice, 1)), "object": note})
    await drain(fed_app)
    item = await _item(fed_app)
    assert (item.state, item.attempts) == ("failed", 1)
    assert item.last_error.startswith("refused:")


async def test_inbox_runner_ignores_unknown_activity_types(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    await deliver(fed_client, alice, {"id": f"{alice.uri}/x/1", "type": "Listen", "actor": alice.uri,
                                      "object": "https://music.example/track/1"})
    await drain(fed_app)
    assert (await _item(fed_app)).state == "done"


async def test_inbox_runner_batch_sees_posts_created_earlier_in_it(fed_app, fed_client, remote):
    from federation import activities
    from server.db.models import Post, PostEdit

    alice, bob = remote.actor("alice"), remote.actor("bob")
    first = remote.note(alice, 1, content="first")
    reply = remote.note(bob, 2, inReplyTo=first["id"])
    for actor, activity in (
        (alice, create(first)),
        (bob, create(reply)),
        (bob, activities.announce(f"{bob.uri}/boosts/1", bob.uri, first["id"], "2024-05-02T00:00:00Z",
                                  ["https://www.w3.org/ns/activitystreams#Public"], [])),
        (alice, activities.update(f"{first['id']}#updates/1", alice.uri,
                                  {**first, "content": "<p>edited</p>", "updated": "2024-05-01T12:00:00Z"})),
    ):
        await deliver(fed_client, actor, activity)
    assert await InboxRunner().run_once(fed_app.state.runtime) == 4  # one batch
    async with fed_app.state.sessions() as session:
        posts = {p.uri: p for p in (await session.execute(select(Post))).scalars()}
        edits = list((await session.execute(select(PostEdit))).scalars())
    original = posts[first["id"]]
    assert posts[reply["id"]].in_reply_to_id == original.id and original.replies_count == 1
    assert posts[f"{bob.uri}/boosts/1"].boost_of_id == original.id and original.boosts_count == 1
    assert "edited" in original.content_html and len(edits) == 1


async def test_inbox_runner_survives_a_post_id_collision(fed_app, fed_client, remote, monkeypatch):
    import server.convert.as_to_post as as_to_post
    from server.db.models import Post

    monkeypatch.setattr(as_to_post, "snowflake", lambda when=None: 4242 << 16)
    alice = remote.actor("alice")
    for n in (1, 2):
        await deliver(fed_client, alice, create(remote.note(alice, n)))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        stored = list((await session.execute(select(Post))).scalars())
        items = list((await session.execute(select(InboxItem).order_by(InboxItem.id))).scalars())
    assert len(stored) == 1
    assert [i.state for i in items] == ["done", "queued"] and items[1].attempts == 1  # retried later


async def test_inbox_runner_refuses_the_queued_activities_of_a_suspended_account_in_a_batch(fed_app, fed_client,
                                                                                            remote):
    from server.db.models import AccountModeration, Actor, Post

    alice, bob = remote.actor("alice"), remote.actor("bob")
    await deliver(fed_client, bob, create(remote.note(bob, 1)))
    await drain(fed_app)
    for actor, n in ((alice, 2), (bob, 3), (alice, 4)):  # queued before the suspension, processed after
        await deliver(fed_client, actor, create(remote.note(actor, n)))
    async with fed_app.state.sessions() as session:
        bob_id = await session.scalar(select(Actor.id).where(Actor.uri == bob.uri))
        session.add(AccountModeration(actor_id=bob_id, suspended_at=utcnow()))
        await session.commit()
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        items = list((await session.execute(select(InboxItem).order_by(InboxItem.id))).scalars())
        stored = set((await session.execute(select(Post.uri))).scalars())
    assert [(i.state, i.last_error) for i in items[1:]] == [
        ("done", None), ("failed", f"refused: {bob.uri} is suspended here"), ("done", None)]
    assert stored == {remote.note(bob, 1)["id"], remote.note(alice, 2)["id"], remote.note(alice, 4)["id"]}


async def test_inbox_runner_claims_soonest_due_first(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    for n in (1, 2):
        await deliver(fed_client, alice, create(remote.note(alice, n)))
    async with fed_app.state.sessions() as session:
        first, second = (await session.execute(select(InboxItem.id).order_by(InboxItem.id))).scalars()
        await session.execute(update(InboxItem).where(InboxItem.id == first)
                              .values(next_try_at=utcnow() - timedelta(seconds=1)))  # a retry now due again
        await session.execute(update(InboxItem).where(InboxItem.id == second)
                              .values(next_try_at=utcnow() - timedelta(seconds=5)))
        await session.commit()
    assert [c.id for c in await claim(fed_app.state.runtime, 1)] == [second]


async def test_inbox_runner_claim_stops_after_its_batch_on_sqlite(fed_app):
    """The claim's UPDATE holds SQLite's write lock while it runs: it walks the due index and stops,
    rather than sorting every queued row (a backlog of 20,000 held the lock for tens of ms)."""
    from sqlalchemy import text

    from server.jobs.inbox import due_items

    if not fed_app.state.runtime.settings.is_sqlite:
        return  # PostgreSQL plans by its statistics; the claim there skips locked rows
    statement = due_items(utcnow(), 100).compile(fed_app.state.engine.sync_engine,
                                                 compile_kwargs={"literal_binds": True})
    async with fed_app.state.sessions() as session:
        plan = " ".join(row[-1] for row in await session.execute(text(f"EXPLAIN QUERY PLAN {statement}")))
    assert "ix_inbox_items_state_next_try_at" in plan and "TEMP B-TREE" not in plan
