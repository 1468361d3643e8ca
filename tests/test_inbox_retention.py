"""Pruning processed inbox rows: bodies go after their time, a digest of each activity id stays a month
so that a late re-delivery is not processed again; the digests expire too."""
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from server.db import fulltext
from server.db.models import InboxItem, Post, SeenActivity
from server.db.types import utcnow
from server.jobs.scheduled import ScheduledRunner
from server.services.federation.inbox.remembered import DONE_KEEP, FAILED_KEEP, SEEN_KEEP, digest
from tests.support.fake_remote import create, deliver, drain


async def _age(app, model, column, by: timedelta, *where) -> None:
    """Set `column` to `by` ago."""
    async with app.state.sessions() as session:
        await session.execute(update(model).where(*where).values({column: utcnow() - by}))
        await session.commit()


async def _chores(app) -> int:
    """One round of the scheduled chores, less the search indexing of the posts just received."""
    async with app.state.sessions() as session:
        while await fulltext.catch_up(session):
            await session.commit()
    return await ScheduledRunner(interval=0).run_once(app.state.runtime)


async def _count(app, model, *where) -> int:
    async with app.state.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_inbox_retention_prunes_processed_rows_and_keeps_their_ids(fed_app, fed_client, remote):
    alice = remote.actor("alice")
    kept, pruned = create(remote.note(alice, 1)), create(remote.note(alice, 2))
    stolen = create(remote.note(alice, 3, attributedTo="https://elsewhere.example/u/x"), alice)  # refused
    for activity in (kept, pruned, stolen):
        assert (await deliver(fed_client, alice, activity)).status_code == 202
    await drain(fed_app)
    await _age(fed_app, InboxItem, InboxItem.next_try_at, DONE_KEEP + timedelta(minutes=1),
               InboxItem.activity_uri.in_([pruned["id"], stolen["id"]]))
    assert await _chores(fed_app) == 1
    remaining = {i.activity_uri: i.state for i in (await _rows(fed_app))}
    assert remaining == {kept["id"]: "done", stolen["id"]: "failed"}  # failed rows stay longer
    async with fed_app.state.sessions() as session:
        assert await session.get(SeenActivity, digest(pruned["id"])) is not None

    # A moderator removed the post; the sender delivers the same Create again, late: not processed again.
    async with fed_app.state.sessions() as session:
        await session.execute(delete(Post).where(Post.uri == pruned["object"]["id"]))
        await session.commit()
    assert (await deliver(fed_client, alice, pruned)).status_code == 202
    assert await drain(fed_app) == 1
    assert await _count(fed_app, Post, Post.uri == pruned["object"]["id"]) == 0
    [again] = [i for i in await _rows(fed_app) if i.activity_uri == pruned["id"]]
    assert (again.state, again.last_error) == ("done", "processed before: a late re-delivery")

    await _age(fed_app, InboxItem, InboxItem.next_try_at, FAILED_KEEP + timedelta(minutes=1),
               InboxItem.activity_uri == stolen["id"])
    await _age(fed_app, SeenActivity, SeenActivity.seen_at, SEEN_KEEP + timedelta(minutes=1))
    await _chores(fed_app)
    assert stolen["id"] not in {i.activity_uri for i in await _rows(fed_app)}
    async with fed_app.state.sessions() as session:
        assert [digest(stolen["id"])] == list(await session.scalars(select(SeenActivity.digest)))


async def _rows(app) -> list[InboxItem]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(InboxItem))).scalars())
