"""GET /readyz: ready while the database answers and the queues are worked; 503 with the reason when the oldest due
inbox job or delivery has waited longer than CURBSIDE_READY_MAX_QUEUE_AGE."""
import asyncio
import dataclasses
from datetime import timedelta

import httpx

from server.app import create_app
from server.db.models import Delivery, InboxItem
from server.db.types import utcnow


async def queue(app, alice, *, inbox_due_ago: float | None = None, delivery_due_ago: float | None = None,
                state: str = "queued", locked_for: float | None = None) -> None:
    now = utcnow()
    locked = now + timedelta(seconds=locked_for) if locked_for else None
    async with app.state.sessions() as session:
        if inbox_due_ago is not None:
            session.add(InboxItem(activity_uri=f"https://remote.example/a/{inbox_due_ago}", signer="https://remote.example/u",
                                  activity={}, state=state, next_try_at=now - timedelta(seconds=inbox_due_ago),
                                  locked_until=locked))
        if delivery_due_ago is not None:
            session.add(Delivery(activity_uri=f"https://curbside.test/a/{delivery_due_ago}", host="remote.example",
                                 inbox="https://remote.example/inbox", body="{}", signer_id=alice.id, state=state,
                                 next_try_at=now - timedelta(seconds=delivery_due_ago), locked_until=locked))
        await session.commit()


async def test_readyz_is_ok_with_recent_or_future_jobs(app, client, alice):
    await queue(app, alice, inbox_due_ago=10, delivery_due_ago=-3600)  # one due just now, one backing off for an hour
    response = await client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_is_503_when_an_inbox_job_waits_too_long(app, client, alice):
    await queue(app, alice, inbox_due_ago=400)
    response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["oldest_due_seconds"] == {"inbox": 400}
    assert "inbox 400 s" in body["reason"] and "limit 300 s" in body["reason"]
    assert (await client.get("/healthz")).status_code == 200  # liveness stays cheap: the process is alive


async def test_readyz_is_503_when_a_delivery_waits_longer_than_the_setting(settings, alice, app, client):
    await queue(app, alice, delivery_due_ago=90)
    assert (await client.get("/readyz")).status_code == 200
    app.state.settings = dataclasses.replace(settings, ready_max_queue_age=60)
    response = await client.get("/readyz")
    assert response.status_code == 503 and response.json()["oldest_due_seconds"] == {"deliveries": 90}


async def test_readyz_ignores_finished_and_leased_jobs(app, client, alice):
    await queue(app, alice, inbox_due_ago=4000, delivery_due_ago=4000, state="failed")
    await queue(app, alice, inbox_due_ago=5000, delivery_due_ago=5000, locked_for=60)  # a worker holds them
    assert (await client.get("/readyz")).status_code == 200


async def test_readyz_is_503_when_the_database_is_unreachable(settings, tmp_path):
    broken = dataclasses.replace(settings, database_url=(
        f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db" if settings.is_sqlite
        else "postgresql+asyncpg://postgres@127.0.0.1:1/none"))
    app = create_app(broken)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="https://t") as c:
            response = await c.get("/readyz")
    await asyncio.sleep(0.1)  # let aiosqlite's worker thread finish closing the failed connection
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
