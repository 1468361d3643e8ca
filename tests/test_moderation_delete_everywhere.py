"""A moderator deleting a local post over a patient-privacy report deletes it everywhere: the Delete goes to
every inbox its Create went to (a follower who left since included), to the followers' shared inboxes and
to the servers of remote accounts that boosted it; and the delivery runner POSTs it there."""
import json

from loopback_server import Reply, serve
from sqlalchemy import delete, select

from server.db.ids import snowflake
from server.db.models import Delivery, Follow, Post
from tests.support import factories
from tests.support.fake_remote import deliver_queued
from tests.support.members import bearer, member


async def _remote(session, name: str, host: str, server) -> object:
    actor = await factories.remote_actor(session, name, host)
    actor.shared_inbox = server.url(f"/{host}/inbox")
    return actor


async def test_moderator_delete_of_a_local_post_reaches_every_server_that_got_it(app, client, settings):
    alice = await member(app, "alice")
    carol_token = (await member(app, "carol")).token
    mod_token = (await member(app, "mod", role="moderator", scopes="read write admin:read admin:write")).token
    async with serve(lambda request: _accepted()) as server:
        async with app.state.sessions() as session:
            bob = await _remote(session, "bob", "stays.example", server)
            dave = await _remote(session, "dave", "left.example", server)
            erin = await _remote(session, "erin", "boosts.example", server)
            for follower in (bob, dave):
                await factories.follow(session, follower, alice.actor)
            await session.commit()
        posted = await client.post("/api/v1/statuses",
                                   json={"status": "Teaching case: bed 4, Mrs. K", "phi_confirmed": True},
                                   headers=alice.headers)
        post_id = int(posted.json()["id"])
        async with app.state.sessions() as session:
            await session.execute(delete(Follow).where(Follow.follower_id == dave.id))  # dave left since
            boost_id = snowflake()
            session.add(Post(id=boost_id, uri=f"{erin.uri}/statuses/{boost_id}/activity", author_id=erin.id,
                             local=False, visibility="public", boost_of_id=post_id))
            await session.commit()
        report = await client.post("/api/v1/reports", headers=bearer(carol_token), json={
            "account_id": str(alice.id), "status_ids": [str(post_id)], "category": "patient_privacy"})
        assert report.status_code == 200, report.text
        done = await client.post(f"/api/v1/admin/reports/{report.json()['id']}/action",
                                 json={"type": "delete_post", "text": "identifies a patient"},
                                 headers=bearer(mod_token))
        assert done.status_code == 200, done.text
        async with app.state.sessions() as session:
            rows = list((await session.execute(select(Delivery))).scalars())
            assert await session.get(Post, post_id) is None
        deletes = {r.inbox for r in rows if json.loads(r.body)["type"] == "Delete"}
        assert deletes == {server.url(f"/{h}/inbox") for h in ("stays.example", "left.example", "boosts.example")}
        await deliver_queued(settings)
    received = {(r.target, json.loads(r.body)["type"]) for r in server.requests}
    assert {(f"/{h}/inbox", "Delete") for h in ("stays.example", "left.example", "boosts.example")} <= received


async def _accepted() -> Reply:
    return Reply(202)
