"""After-commit effects (server.db.effects): declared on a session, run once after its commit, never after a
rollback."""
from __future__ import annotations

import asyncio
import time

import pytest
from support import factories
from test_worker import FakeRunner, wait_for

from server.db import effects
from server.db.models import Delivery
from server.jobs import worker as worker_module
from server.jobs.worker import Worker
from server.services.posts.authoring import NewPost, create_post


@pytest.fixture
async def alice(app, session):
    actor = await factories.member(session, app.state.urls, "curbside.test", "alice")
    await session.commit()
    return actor


def probe(runtime) -> list:
    """The effects of kind `probe` carried out by `runtime`'s sessions, in order."""
    done: list = []
    effects.handle(runtime.sessions, probe=done.append)
    return done


async def test_effects_rollback_runs_none(app, alice):
    runtime = app.state.runtime
    done = probe(runtime)
    async with runtime.sessions() as session:
        (await session.get(type(alice), alice.id)).display_name = "Rolled back"
        effects.declare(session, "probe", "first")
        await session.rollback()
        await session.commit()  # a later transaction of the same session carries nothing over
    assert done == []


async def test_effects_commit_runs_each_once_in_order(app, alice):
    runtime = app.state.runtime
    done = probe(runtime)
    async with runtime.sessions() as session:
        (await session.get(type(alice), alice.id)).display_name = "Committed"
        for argument in ("a", "b", "a"):
            effects.declare(session, "probe", argument)
        await session.commit()
        await session.commit()
    assert done == ["a", "b"]


async def test_effects_survive_a_savepoint_rollback_but_not_a_closed_session(app, alice):
    runtime = app.state.runtime
    done = probe(runtime)
    async with runtime.sessions() as session:
        effects.declare(session, "probe", "kept")
        try:
            async with session.begin_nested():
                effects.declare(session, "probe", "inner")
                raise ValueError("a clash inside")
        except ValueError:
            pass
        await session.commit()
    assert done == ["kept", "inner"]  # a savepoint's rollback does not undo what the transaction declared
    session = runtime.sessions()
    await session.get(type(alice), alice.id)
    effects.declare(session, "probe", "never")
    await session.close()  # ended uncommitted
    await session.commit()
    assert done == ["kept", "inner"]


async def test_effects_a_failing_effect_is_logged_and_the_rest_run(app, alice, caplog):
    runtime = app.state.runtime
    done = probe(runtime)
    effects.handle(runtime.sessions, broken=lambda _: 1 / 0)
    async with runtime.sessions() as session:
        effects.declare(session, "broken")
        effects.declare(session, "probe", "after")
        await session.commit()
    assert done == ["after"] and "after-commit effect broken" in caplog.text


async def _new_post_with_a_remote_follower(runtime, alice, commit: bool) -> None:
    async with runtime.sessions() as session:
        follower = await factories.remote_actor(session, "bob")
        await factories.follow(session, follower, await session.get(type(alice), alice.id))
        await create_post(runtime, session, await session.get(type(alice), alice.id), NewPost(text="hello"))
        await (session.commit() if commit else session.rollback())


async def test_effects_a_new_post_wakes_the_delivery_queue_at_once_and_a_rolled_back_one_does_not(
        app, alice, monkeypatch):
    """The Create of a new post is delivered at once, not at the worker's next poll: the service that queued it
    declared the wake; nobody else had to."""
    monkeypatch.setattr(worker_module, "IDLE_WAIT", 30.0)
    runtime = app.state.runtime
    deliveries = FakeRunner("deliveries")
    worker = Worker(runtime, [deliveries])
    task = asyncio.create_task(worker.run())
    try:
        await wait_for(lambda: len(deliveries.calls) == 1)
        await _new_post_with_a_remote_follower(runtime, alice, commit=False)
        await asyncio.sleep(0.2)
        assert len(deliveries.calls) == 1  # nothing was queued, nobody woke it
        committed = time.monotonic()
        await _new_post_with_a_remote_follower(runtime, alice, commit=True)
        await wait_for(lambda: len(deliveries.calls) == 2, timeout=1.0)
        assert deliveries.calls[1] - committed < 0.5
        async with runtime.sessions() as session:
            queued = await session.scalar(Delivery.__table__.select().with_only_columns(Delivery.inbox))
        assert queued == "https://remote.example/inbox"
    finally:
        worker.stop()
        await asyncio.wait_for(task, 2)
