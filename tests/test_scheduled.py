"""The scheduled runner: timed chores at most once per interval, each handled once by whichever worker claims it."""
from datetime import timedelta

from sqlalchemy import select, update

from server.db import fulltext
from server.db.models import IdempotencyKey, MediaAttachment, Notification, PollDeadline
from server.db.types import utcnow
from server.jobs.scheduled import ScheduledRunner
from tests.support.api import media_ready
from tests.support.images import plain
from tests.support.members import member


async def test_scheduled_runner_closes_polls_and_clears_stale_rows_once_per_interval(app, client):
    alice, bob = await member(app, "alice"), await member(app, "bob")
    poll = (await client.post("/api/v1/statuses", headers={**alice.headers, "idempotency-key": "k"}, json={
        "status": "Which?", "poll": {"options": ["a", "b"], "expires_in": 600}})).json()
    await client.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": [0]}, headers=bob.headers)
    await media_ready(client, alice.headers,
                      await client.post("/api/v2/media", files={"file": ("x.png", plain(), "image/png")},
                                        headers=alice.headers))
    long_ago = utcnow() - timedelta(days=2)
    async with app.state.sessions() as session:
        await fulltext.catch_up(session)  # the new post's search indexing is another chore, not counted here
        for model, column in ((PollDeadline, PollDeadline.expires_at), (MediaAttachment, MediaAttachment.created_at),
                              (IdempotencyKey, IdempotencyKey.created_at)):
            await session.execute(update(model).values({column: long_ago}))
        await session.commit()
    first, second = ScheduledRunner(interval=60), ScheduledRunner(interval=60)
    assert await first.run_once(app.state.runtime) == 3  # one poll, one upload, one key
    assert await first.run_once(app.state.runtime) == 0  # not due again yet
    assert await second.run_once(app.state.runtime) == 0  # another worker finds nothing left
    async with app.state.sessions() as session:
        kinds = sorted((n.type, n.recipient_id) for n in (await session.execute(select(Notification))).scalars()
                       if n.type == "poll")
        assert kinds == sorted([("poll", alice.id), ("poll", bob.id)])
        assert (await session.execute(select(MediaAttachment))).first() is None
        assert (await session.get(PollDeadline, int(poll["id"]))).closed_at is not None
