"""Scheduled statuses: POST /api/v1/statuses with `scheduled_at` answers a ScheduledStatus, listed (paged), read,
moved and cancelled under /api/v1/scheduled_statuses by their author alone; the worker publishes each once at its
time; the privacy guard screens them when submitted and again when published."""
import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.db.models import Account, HeldPost, MediaAttachment, Post, ScheduledPost
from server.db.types import utcnow
from server.jobs.scheduled import ScheduledRunner
from server.services.instance.settings import set_phi_policy
from server.services.posts import scheduling
from tests.support import factories
from tests.support.api import media_ready
from tests.support.images import plain
from tests.support.members import member

PHI = "Pt John Smith, DOB 03/14/1961, MRN 4482913"
LIST = "/api/v1/scheduled_statuses"


def later(minutes: float = 60) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


async def schedule(client, who, **body) -> dict:
    response = await client.post("/api/v1/statuses", json={"scheduled_at": later(), **body}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def set_policy(app, policy: str) -> None:
    async with app.state.sessions() as session:
        await set_phi_policy(session, policy, by="test")
        await session.commit()


async def come_due(app) -> None:
    """Their time has come: moved into the past in the database (no waiting)."""
    async with app.state.sessions() as session:
        await session.execute(update(ScheduledPost).values(scheduled_at=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def posts_of(app, author_id: int) -> list[Post]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(Post).where(Post.author_id == author_id))).scalars())


async def test_scheduled_status_is_a_mastodon_entity_its_author_lists_reads_moves_and_cancels(app, client):
    alice, bob = await member(app, "alice"), await member(app, "bob")
    at = utcnow().replace(microsecond=0) + timedelta(hours=2)
    entity = await schedule(client, alice, status="Grand rounds at noon", scheduled_at=at.isoformat(),
                            visibility="unlisted", spoiler_text="Cardiology", language="en",
                            poll={"options": ["yes", "no"], "expires_in": 3600})
    assert entity["scheduled_at"] == at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert entity["params"] | {"poll": None} == {
        "text": "Grand rounds at noon", "poll": None, "media_ids": None, "sensitive": False,
        "spoiler_text": "Cardiology", "visibility": "unlisted", "in_reply_to_id": None, "language": "en",
        "application_id": None, "scheduled_at": None, "idempotency": None, "with_rate_limit": False}
    assert entity["params"]["poll"] == {"options": ["yes", "no"], "expires_in": "3600", "multiple": False,
                                        "hide_totals": False}
    assert entity["media_attachments"] == [] and await posts_of(app, alice.id) == []
    second = await schedule(client, alice, status="Journal club")

    first_page = await client.get(LIST, params={"limit": 1}, headers=alice.headers)
    assert [s["id"] for s in first_page.json()] == [second["id"]]
    next_url = first_page.headers["link"].split(";")[0].strip("<>")
    assert [s["id"] for s in (await client.get(next_url, headers=alice.headers)).json()] == [entity["id"]]
    assert (await client.get(LIST, headers=bob.headers)).json() == []
    assert (await client.get(f"{LIST}/{entity['id']}", headers=bob.headers)).status_code == 404
    assert (await client.get(f"{LIST}/{entity['id']}", headers=alice.headers)).json() == entity

    moved = await client.put(f"{LIST}/{entity['id']}", json={"scheduled_at": later(30)}, headers=alice.headers)
    assert moved.status_code == 200 and moved.json()["scheduled_at"] < entity["scheduled_at"]
    too_soon = await client.put(f"{LIST}/{entity['id']}", json={"scheduled_at": later(2)}, headers=alice.headers)
    assert too_soon.status_code == 422 and "5 minutes" in too_soon.json()["error"]
    assert (await client.put(f"{LIST}/{entity['id']}", json={"scheduled_at": "soon"},
                             headers=alice.headers)).status_code == 422
    assert (await client.delete(f"{LIST}/{entity['id']}", headers=bob.headers)).status_code == 404
    assert (await client.delete(f"{LIST}/{entity['id']}", headers=alice.headers)).status_code == 200
    assert (await client.get(f"{LIST}/{entity['id']}", headers=alice.headers)).status_code == 404
    assert [s["id"] for s in (await client.get(LIST, headers=alice.headers)).json()] == [second["id"]]


async def test_scheduled_status_sooner_than_5_minutes_is_refused_and_a_past_time_posts_now(app, client):
    alice = await member(app, "alice")
    soon = await client.post("/api/v1/statuses", json={"status": "x", "scheduled_at": later(4)},
                             headers=alice.headers)
    assert soon.status_code == 422 and "5 minutes" in soon.json()["error"]
    past = await client.post("/api/v1/statuses", json={"status": "now then", "scheduled_at": later(-10)},
                             headers=alice.headers)
    assert past.status_code == 200 and past.json()["content"] == "<p>now then</p>"
    bad = await client.post("/api/v1/statuses", json={"status": "x", "scheduled_at": "0001-01-01T00:00:00+01:00"},
                            headers=alice.headers)
    assert bad.status_code == 422 and "scheduled_at" in bad.json()["error"]
    assert [s.source for s in await posts_of(app, alice.id)] == ["now then"]


async def test_scheduled_status_is_published_once_by_the_worker_at_its_time_with_its_media(app, client):
    alice, carol = await member(app, "alice"), await member(app, "carol")
    async with app.state.sessions() as session:
        await factories.follow(session, carol.actor, alice.actor)
        await session.commit()
    upload = await media_ready(client, alice.headers, await client.post(
        "/api/v2/media", files={"file": ("x.png", plain(), "image/png")}, data={"description": "a chest X-ray"},
        headers=alice.headers))
    entity = await schedule(client, alice, status="Case of the week", media_ids=[upload["id"]])
    assert [m["id"] for m in entity["media_attachments"]] == [upload["id"]]
    assert entity["params"]["media_ids"] == [upload["id"]]
    taken = await client.post("/api/v1/statuses", json={"status": "again", "media_ids": [upload["id"]]},
                              headers=alice.headers)
    assert taken.status_code == 422  # kept for the scheduled post
    async with app.state.sessions() as session:  # a reserved upload does not expire, however long it waits
        await session.execute(update(MediaAttachment).values(created_at=utcnow() - timedelta(days=3)))
        await session.commit()
    runner = ScheduledRunner(interval=60)
    await runner.run_once(app.state.runtime)
    assert await posts_of(app, alice.id) == []

    await come_due(app)
    assert await ScheduledRunner(interval=60).run_once(app.state.runtime) >= 1
    assert await scheduling.publish_due(app.state.runtime) == 0  # another worker finds nothing left
    [post] = await posts_of(app, alice.id)
    assert post.source == "Case of the week" and [a["id"] for a in post.attachments] == [upload["id"]]
    home = (await client.get("/api/v1/timelines/home", headers=carol.headers)).json()
    assert [s["id"] for s in home] == [str(post.id)]
    assert home[0]["media_attachments"][0]["description"] == "a chest X-ray"
    assert (await client.get(LIST, headers=alice.headers)).json() == []
    async with app.state.sessions() as session:
        attached = await session.get(MediaAttachment, int(upload["id"]))
        assert (attached.post_id, attached.scheduled_id) == (post.id, None)


async def test_scheduled_status_is_published_exactly_once_by_concurrent_workers(app, client):
    alice = await member(app, "alice")
    for n in range(3):
        await schedule(client, alice, status=f"Reminder {n}")
    await come_due(app)
    runtime = app.state.runtime
    counts = await asyncio.gather(*(scheduling.publish_due(runtime) for _ in range(3)))
    assert sum(counts) == 3
    assert sorted(p.source for p in await posts_of(app, alice.id)) == ["Reminder 0", "Reminder 1", "Reminder 2"]


async def test_scheduled_status_with_patient_details_is_refused_or_confirmed_at_submission_as_a_post(app, client):
    alice = await member(app, "alice")  # the policy is warn
    body = {"status": PHI, "scheduled_at": later()}
    refused = await client.post("/api/v1/statuses", json=body, headers=alice.headers)
    assert refused.status_code == 422 and refused.json()["phi_action"] == "confirm"
    assert (await client.get(LIST, headers=alice.headers)).json() == []
    confirmed = await client.post("/api/v1/statuses", json=body, headers=alice.headers)  # sent again: confirmed
    assert confirmed.status_code == 200, confirmed.text
    await come_due(app)
    assert await scheduling.publish_due(app.state.runtime) == 1
    [post] = await posts_of(app, alice.id)
    assert post.source == PHI and post.phi_confirmed and post.visibility == "public"

    await set_policy(app, "block")
    blocked = await client.post("/api/v1/statuses", json=body | {"phi_confirmed": True}, headers=alice.headers)
    assert blocked.status_code == 422 and blocked.json()["phi_action"] == "reject"


async def test_scheduled_status_the_policy_now_refuses_is_not_published_and_its_author_is_told(app, client):
    alice = await member(app, "alice")
    await schedule(client, alice, status=PHI, phi_confirmed=True)
    await set_policy(app, "block")
    await come_due(app)
    assert await scheduling.publish_due(app.state.runtime) == 0
    assert await posts_of(app, alice.id) == []
    assert (await client.get(LIST, headers=alice.headers)).json() == []
    notifications = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert [n["type"] for n in notifications] == ["moderation_warning"]
    [warning] = (await client.get("/api/v1/moderation_warnings", headers=alice.headers)).json()
    text = str(warning)
    assert "was not published" in text and "may identify a patient" in text
    assert "John Smith" not in text and "4482913" not in text  # kinds, never the identifiers themselves


async def test_scheduled_status_refusal_notice_is_written_in_its_authors_language(app, client):
    anna = await member(app, "anna")
    async with app.state.sessions() as session:
        await session.execute(update(Account).where(Account.actor_id == anna.actor.id).values(locale="de"))
        await session.commit()
    await schedule(client, anna, status=PHI, phi_confirmed=True)
    await set_policy(app, "block")
    await come_due(app)
    assert await scheduling.publish_due(app.state.runtime) == 0
    [warning] = (await client.get("/api/v1/moderation_warnings", headers=anna.headers)).json()
    text = str(warning)
    assert "wurde nicht veröffentlicht" in text and "Name" in text and "UTC" in text, text
    assert "was not published" not in text and "John Smith" not in text


async def test_scheduled_status_under_the_hold_policy_goes_to_the_moderators_when_published(app, client):
    alice = await member(app, "alice")
    await set_policy(app, "hold")
    entity = await schedule(client, alice, status=PHI, visibility="private")
    assert entity["params"]["visibility"] == "private"
    await come_due(app)
    assert await scheduling.publish_due(app.state.runtime) == 1
    [post] = await posts_of(app, alice.id)
    async with app.state.sessions() as session:
        held = (await session.execute(select(HeldPost))).scalar_one()
    assert (post.visibility, held.post_id, held.visibility) == ("held", post.id, "private")


@pytest.mark.parametrize("body", [{"scheduled_at": 12}, {"scheduled_at": "2030-13-01T00:00:00Z"},
                                  {"scheduled_at": later(), "in_reply_to_id": "999"}])
async def test_scheduled_status_hostile_input_is_a_422(app, client, body):
    alice = await member(app, "alice")
    response = await client.post("/api/v1/statuses", json={"status": "x", **body}, headers=alice.headers)
    assert response.status_code in (404, 422), response.text
