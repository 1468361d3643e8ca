"""Importing Mastodon's CSV exports: parsing (with and without header rows), the durable job worked through by
the worker one row at a time (resumable), merge and overwrite, and the page showing progress."""
import pytest
from sqlalchemy import select, update

from moderation.errors import ServiceError
from server.db.ids import snowflake
from server.db.models import Block, Bookmark, Delivery, Follow, ImportJob, List, ListAccount, Mute, Post
from server.jobs.imports import ImportRunner
from server.services.accounts.imports import parse_export, start_import
from server.services.social import interactions as social
from tests.support.members import member
from tests.support.web import form_token, member_session

FOLLOWING_HEADER = "Account address,Show boosts,Notify on new posts,Languages\n"


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _start(app, who, kind: str, text: str, mode: str = "merge") -> int:
    async with app.state.sessions() as session:
        job = await start_import(session, who, kind, mode, text.encode())
        await session.commit()
        return job.id


async def _run(app, rows_per_round: int = 20) -> None:
    runner = ImportRunner(rows_per_round)
    while await runner.run_once(app.state.runtime):
        pass


async def _job(app, job_id: int) -> ImportJob:
    [job] = await _all(app, ImportJob, ImportJob.id == job_id)
    return job


def test_parse_following_with_mastodons_header_and_a_headerless_block_list():
    rows = parse_export("following", (FOLLOWING_HEADER + "bob@b.example,false,true,en\n@carol@c.example,true,false,\n")
                        .encode("utf-8-sig"))
    assert rows == [["bob@b.example", "false", "true", "en"], ["@carol@c.example", "true", "false", ""]]
    assert parse_export("blocks", b"x@y.example\nz@y.example\n") == [["x@y.example"], ["z@y.example"]]
    assert parse_export("lists", b"Cardio,bob@b.example\n") == [["Cardio", "bob@b.example"]]


@pytest.mark.parametrize("kind, data, reason", [
    ("mutes", FOLLOWING_HEADER.encode() + b"bob@b.example,true,false,\n", "looks like another export"),
    ("following", FOLLOWING_HEADER.encode(), "lists nothing"),
    ("following", b"\xff\xfe\x00", "not UTF-8"),
    ("lists", b"Cardio\n", "missing"),
    ("domains", b"x.example\n", "one of"),
])
def test_parse_refuses_files_that_are_not_the_export_chosen(kind, data, reason):
    with pytest.raises(ServiceError, match=reason):
        parse_export(kind, data)


async def test_import_following_is_worked_through_one_row_at_a_time_and_resumes(app):
    me = (await member(app, "carol")).actor
    bob, dave = (await member(app, "bob")).actor, (await member(app, "dave")).actor
    rows = "bob,false,true,\nnobody,true,false,\ndave@curbside.test,,,\n"
    job_id = await _start(app, me, "following", FOLLOWING_HEADER + rows)
    runner = ImportRunner(rows_per_round=1)
    assert await runner.run_once(app.state.runtime) == 1
    first = await _job(app, job_id)
    assert (first.position, first.state, first.locked_until) == (1, "queued", None)  # its place kept, lease given back
    await _run(app, rows_per_round=1)
    job = await _job(app, job_id)
    assert (job.state, job.position, job.imported, job.failed) == ("finished", 3, 2, 1)
    follows = {(f.followed_id, f.show_boosts, f.notify) for f in await _all(app, Follow, Follow.follower_id == me.id)}
    assert follows == {(bob.id, False, True), (dave.id, True, False)}


async def test_import_a_job_held_by_a_worker_is_left_until_its_lease_ends(app):
    me = (await member(app, "carol")).actor
    await member(app, "bob")
    job_id = await _start(app, me, "blocks", "bob\n")
    async with app.state.sessions() as session:
        from datetime import timedelta

        from server.db.types import utcnow
        await session.execute(update(ImportJob).values(locked_until=utcnow() + timedelta(minutes=1)))
        await session.commit()
    assert await ImportRunner().run_once(app.state.runtime) == 0
    assert (await _job(app, job_id)).position == 0


async def test_import_following_of_remote_accounts_sends_follows(fed_app, remote):
    me = (await member(fed_app, "carol")).actor
    ann = remote.actor("ann")
    job_id = await _start(fed_app, me, "following", FOLLOWING_HEADER + f"{remote.finger(ann)},true,false,\n")
    await _run(fed_app)
    assert (await _job(fed_app, job_id)).imported == 1
    assert [d.inbox for d in await _all(fed_app, Delivery) if '"Follow"' in d.body] == [f"{ann.uri}/inbox"]


async def test_import_overwrite_undoes_what_the_file_does_not_list(app):
    me = (await member(app, "carol")).actor
    bob, dave, erin = [(await member(app, name)).actor for name in ("bob", "dave", "erin")]
    async with app.state.sessions() as session:
        for other in (bob, dave):
            await social.follow(app.state.runtime, session, me, other)
        session.add(Mute(actor_id=me.id, target_id=erin.id))
        await session.commit()
    await _start(app, me, "following", FOLLOWING_HEADER + "dave,true,false,\n", mode="overwrite")
    await _start(app, me, "mutes", "Account address,Hide notifications\nbob,false\n", mode="overwrite")
    await _run(app)
    assert {f.followed_id for f in await _all(app, Follow, Follow.follower_id == me.id)} == {dave.id}
    assert {(m.target_id, m.notifications) for m in await _all(app, Mute, Mute.actor_id == me.id)} == {(bob.id, False)}


async def test_import_merge_keeps_what_is_there(app):
    me = (await member(app, "carol")).actor
    bob, dave = (await member(app, "bob")).actor, (await member(app, "dave")).actor
    async with app.state.sessions() as session:
        await social.follow(app.state.runtime, session, me, bob)
        await session.commit()
    await _start(app, me, "following", "dave\n")
    await _run(app)
    assert {f.followed_id for f in await _all(app, Follow, Follow.follower_id == me.id)} == {bob.id, dave.id}


async def test_import_lists_blocks_and_bookmarks(app):
    me = (await member(app, "carol")).actor
    bob, dave = (await member(app, "bob")).actor, (await member(app, "dave")).actor
    async with app.state.sessions() as session:
        post = Post(id=snowflake(), uri=f"{bob.uri}/statuses/1", author_id=bob.id, local=True, visibility="public",
                    content_html="<p>hi</p>")
        session.add(post)
        await session.commit()
    await _start(app, me, "lists", "Cardiology,bob\nCardiology,dave@curbside.test\nStaff,dave\n")
    await _start(app, me, "blocks", "erin-unknown\n")
    await _start(app, me, "bookmarks", f"{post.uri}\nhttp://curbside.test/statuses/404\n")
    await _run(app)
    lists = {row.title: row.id for row in await _all(app, List, List.owner_id == me.id)}
    assert set(lists) == {"Cardiology", "Staff"}
    on = {(la.list_id, la.actor_id) for la in await _all(app, ListAccount)}
    assert on == {(lists["Cardiology"], bob.id), (lists["Cardiology"], dave.id), (lists["Staff"], dave.id)}
    assert {f.followed_id for f in await _all(app, Follow, Follow.follower_id == me.id)} == {bob.id, dave.id}
    assert [b.post_id for b in await _all(app, Bookmark, Bookmark.actor_id == me.id)] == [post.id]
    assert await _all(app, Block) == []
    assert [(j.kind, j.imported, j.failed) for j in await _all(app, ImportJob)] == [
        ("lists", 3, 0), ("blocks", 0, 1), ("bookmarks", 1, 1)]


async def test_import_page_takes_a_file_and_shows_progress(app, client):
    await member_session(app, client, "carol")
    await member(app, "bob")
    token = await form_token(client, "/settings/import")
    sent = await client.post("/settings/import", data={"csrf_token": token, "kind": "following", "mode": "merge"},
                             files={"data": ("following_accounts.csv", FOLLOWING_HEADER + "bob,true,false,\n")})
    assert sent.status_code == 303 and "import_queued" in sent.headers["location"]
    assert "0 of 1 rows" in (await client.get("/settings/import")).text
    await _run(app)
    assert "1 of 1 rows, done" in (await client.get("/settings/import")).text
    wrong = await client.post("/settings/import", data={"csrf_token": token, "kind": "mutes", "mode": "merge"},
                              files={"data": ("f.csv", FOLLOWING_HEADER + "bob,true,false,\n")})
    assert wrong.status_code == 422 and "looks like another export" in wrong.text
