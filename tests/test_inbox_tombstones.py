"""Delete before Create: a remote object deleted by its origin stays deleted, whichever arrives first."""
from sqlalchemy import select

from federation import activities
from server.db.models import DeletedObject, InboxItem, Post
from server.services.federation.inbox.remembered import digest
from tests.support.fake_remote import PUBLIC, create, deliver, drain


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _error(app, activity_id: str) -> str | None:
    [item] = await _all(app, InboxItem, InboxItem.activity_uri == activity_id)
    return item.last_error


async def test_inbox_tombstones_refuse_a_create_that_arrives_after_its_delete(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    late, same_batch = remote.note(alice, 1), remote.note(alice, 2)
    await deliver(fed_client, alice, activities.delete(f"{late['id']}#delete", alice.uri, late["id"], to=[PUBLIC]))
    await drain(fed_app)
    await deliver(fed_client, alice, create(late))
    # Embedded Tombstone, and the Create right behind it in one batch of the runner.
    await deliver(fed_client, alice, activities.delete(f"{same_batch['id']}#delete", alice.uri,
                                                       activities.tombstone(same_batch["id"]), to=[PUBLIC]))
    await deliver(fed_client, alice, create(same_batch))
    await drain(fed_app)
    assert await _all(fed_app, Post) == []
    for note in (late, same_batch):
        assert "was deleted by its origin" in await _error(fed_app, note["id"] + "/activity")


async def test_inbox_tombstones_a_deleted_post_cannot_come_back(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    note = remote.note(alice, 3)
    await deliver(fed_client, alice, create(note))
    await drain(fed_app)
    await deliver(fed_client, alice, activities.delete(f"{note['id']}#delete", alice.uri,
                                                       activities.tombstone(note["id"]), to=[PUBLIC]))
    await drain(fed_app)
    again = {**create(note), "id": note["id"] + "/activity-resent"}  # e.g. a relay's copy, another id
    await deliver(fed_client, alice, again)
    await drain(fed_app)
    assert await _all(fed_app, Post) == []
    assert "was deleted" in await _error(fed_app, again["id"])


async def test_inbox_tombstones_only_from_the_objects_origin(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    elsewhere = alice.uri.replace("127.0.0.1", "localhost") + "/statuses/9"  # same path, another origin
    bob_note = f"{remote.base}/users/bob/statuses/4"  # same origin as alice: her server could have written it
    for n, target in enumerate((elsewhere, bob_note)):
        await deliver(fed_client, alice, activities.delete(f"{alice.uri}#delete/{n}", alice.uri, target))
    await drain(fed_app)
    remembered = {row.digest for row in await _all(fed_app, DeletedObject)}
    assert remembered == {digest(bob_note)}
