"""Polls: created with a status, read, voted in (locally, by remote actors through the inbox, and by our
members on remote polls), closed with their results federated and voters notified."""
import json
from datetime import timedelta

from sqlalchemy import select, update

from federation import activities
from server.db.models import Delivery, InboxItem, Notification, PollDeadline, PollVote, Post
from server.db.types import utcnow
from server.services.posts import poll_closing
from tests.support.api import check_auth
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member, token

POLL = {"status": "Anticoagulate after a first episode of provoked DVT: how long?",
        "poll": {"options": ["3 months", "6 months", "indefinitely"], "expires_in": 3600}}


async def poll_status(client, who, multiple: bool = False, **extra) -> dict:
    body = {**POLL, "poll": {**POLL["poll"], "multiple": multiple}, **extra}
    response = await client.post("/api/v1/statuses", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_api_polls_create_read_and_vote(client, alice, bob):
    status = await poll_status(client, alice)
    poll = status["poll"]
    assert poll["id"] == status["id"] and not poll["expired"] and not poll["multiple"]
    assert [o["title"] for o in poll["options"]] == ["3 months", "6 months", "indefinitely"]
    assert poll["votes_count"] == 0 and poll["voters_count"] == 0 and poll["voted"] is False
    assert poll["expires_at"].endswith("Z")
    voted = await client.post(f"/api/v1/polls/{poll['id']}/votes", json={"choices": ["1"]}, headers=bob.headers)
    assert voted.status_code == 200, voted.text
    assert voted.json()["own_votes"] == [1] and voted.json()["voted"] is True
    assert [o["votes_count"] for o in voted.json()["options"]] == [0, 1, 0] and voted.json()["voters_count"] == 1
    anonymous = (await client.get(f"/api/v1/polls/{poll['id']}")).json()
    assert anonymous["votes_count"] == 1 and "voted" not in anonymous and "own_votes" not in anonymous
    seen_by_alice = (await client.get(f"/api/v1/statuses/{status['id']}", headers=alice.headers)).json()["poll"]
    assert seen_by_alice["options"][1]["votes_count"] == 1 and seen_by_alice["own_votes"] == []


async def test_api_polls_votes_are_checked(app, client, alice, bob):
    single = (await poll_status(client, alice))["poll"]["id"]
    multiple = (await poll_status(client, alice, multiple=True))["poll"]["id"]

    async def vote(poll_id, choices, who=bob):
        return await client.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": choices}, headers=who.headers)
    assert (await vote(single, [0, 1])).status_code == 422
    assert (await vote(single, [3])).status_code == 422
    assert (await vote(single, [])).status_code == 422
    assert (await vote(single, ["x"])).status_code == 422
    assert (await vote(single, [0], who=alice)).status_code == 422  # not in one's own poll
    assert (await vote(single, [0])).status_code == 200
    assert (await vote(single, [1])).status_code == 422  # once
    both = await client.post(f"/api/v1/polls/{multiple}/votes", data={"choices[]": ["0", "2"]}, headers=bob.headers)
    assert both.status_code == 200 and both.json()["own_votes"] == [0, 2] and both.json()["votes_count"] == 2
    assert both.json()["voters_count"] == 1
    assert (await vote("12345", [0])).status_code == 404


async def test_api_polls_expired_poll_refuses_votes(app, client, alice, bob):
    poll_id = (await poll_status(client, alice))["poll"]["id"]
    async with app.state.sessions() as session:
        post = await session.get(Post, int(poll_id))
        post.poll = {**post.poll, "expires_at": (utcnow() - timedelta(minutes=1)).isoformat()}
        await session.commit()
    assert (await client.get(f"/api/v1/polls/{poll_id}")).json()["expired"] is True  # at read time
    response = await client.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]}, headers=bob.headers)
    assert response.status_code == 422 and "ended" in response.json()["error"]


async def test_api_polls_private_poll_is_hidden_from_strangers(client, alice, bob):
    poll_id = (await poll_status(client, alice, visibility="private"))["poll"]["id"]
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=bob.headers)).status_code == 404
    response = await client.post(f"/api/v1/polls/{poll_id}/votes", json={"choices": [0]}, headers=bob.headers)
    assert response.status_code == 404


async def test_api_polls_auth(app, client, alice, bob):
    poll_id = (await poll_status(client, alice))["poll"]["id"]
    read_only = await token(app, bob, "read")
    await check_auth(client, "POST", f"/api/v1/polls/{poll_id}/votes", read_only, json={"choices": [0]})
    write_only = await token(app, bob, "write:media")
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=write_only)).status_code == 403


async def test_api_polls_edit_with_new_options_starts_afresh(client, alice, bob):
    status = await poll_status(client, alice)
    await client.post(f"/api/v1/polls/{status['id']}/votes", json={"choices": [0]}, headers=bob.headers)
    same = await client.put(f"/api/v1/statuses/{status['id']}", json=POLL, headers=alice.headers)
    assert same.json()["poll"]["votes_count"] == 1
    changed = {**POLL, "poll": {"options": ["3 months", "life-long"], "expires_in": 600}}
    fresh = await client.put(f"/api/v1/statuses/{status['id']}", json=changed, headers=alice.headers)
    assert fresh.json()["poll"]["votes_count"] == 0
    again = await client.post(f"/api/v1/polls/{status['id']}/votes", json={"choices": [1]}, headers=bob.headers)
    assert again.status_code == 200


async def _expire(app, post_id: int) -> None:
    async with app.state.sessions() as session:
        past = utcnow() - timedelta(seconds=1)
        await session.execute(update(PollDeadline).where(PollDeadline.post_id == post_id).values(expires_at=past))
        post = await session.get(Post, post_id)
        post.poll = {**post.poll, "expires_at": past.isoformat()}
        await session.commit()


async def test_api_polls_closing_notifies_voters_and_author_once(app, client, alice, bob):
    status = await poll_status(client, alice)
    await client.post(f"/api/v1/polls/{status['id']}/votes", json={"choices": [2]}, headers=bob.headers)
    await _expire(app, int(status["id"]))
    for _ in range(2):  # a second round finds nothing left to close
        async with app.state.sessions() as session:
            await poll_closing.close_due(app.state.runtime, session)
            await session.commit()
    for who in (alice, bob):
        notes = (await client.get("/api/v1/notifications", params={"types[]": "poll"}, headers=who.headers)).json()
        assert [(n["type"], n["status"]["id"], n["account"]["id"]) for n in notes] == [
            ("poll", status["id"], str(alice.id))]
        assert notes[0]["status"]["poll"]["expired"] is True
    assert (await client.get(f"/api/v1/polls/{status['id']}")).json()["options"][2]["votes_count"] == 1


async def test_api_polls_remote_votes_arrive_through_the_inbox_and_results_federate(fed_app, fed_client, remote):
    alice = await member(fed_app, "alice")
    status = await poll_status(fed_client, alice, multiple=False)
    question = status["uri"]
    carol, dave = remote.actor("carol"), remote.actor("dave")

    def vote_note(actor, n, name, reply_to=question):
        return {"id": f"{actor.uri}#votes/{n}", "type": "Note", "name": name, "attributedTo": actor.uri,
                "to": [alice.actor.uri], "inReplyTo": reply_to}
    for activity in (create(vote_note(carol, 1, "6 months")), create(vote_note(carol, 2, "indefinitely")),
                     create(vote_note(dave, 1, "6 months")), create(vote_note(dave, 2, "no such option"))):
        assert (await deliver(fed_client, activity["actor"] == carol.uri and carol or dave,
                              activity)).status_code == 202
    await drain(fed_app)
    poll = (await fed_client.get(f"/api/v1/polls/{status['id']}")).json()
    assert [o["votes_count"] for o in poll["options"]] == [0, 2, 0] and poll["voters_count"] == 2
    async with fed_app.state.sessions() as session:
        assert len(list((await session.execute(select(PollVote))).scalars())) == 2
        replies = (await session.execute(select(Post).where(Post.in_reply_to_uri == question))).scalars().all()
    assert [p.uri for p in replies] == [f"{dave.uri}#votes/2"]  # an unknown option is a reply, not a vote

    await _expire(fed_app, int(status["id"]))
    async with fed_app.state.sessions() as session:
        assert await poll_closing.close_due(fed_app.state.runtime, session) == 1
        await session.commit()
        sent = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()
                if "#updates/poll/" in d.activity_uri]
    assert sent and sent[0]["type"] == "Update" and sent[0]["object"]["type"] == "Question"
    assert sent[0]["object"]["closed"] and sent[0]["object"]["votersCount"] == 2
    assert [o["replies"]["totalItems"] for o in sent[0]["object"]["oneOf"]] == [0, 2, 0]
    late = create(vote_note(remote.actor("erin"), 1, "3 months"))
    await deliver(fed_client, remote.actor("erin"), late)
    await drain(fed_app)
    assert (await fed_client.get(f"/api/v1/polls/{status['id']}")).json()["votes_count"] == 2


def _vote(actor, n: int, name: str, poll: dict) -> dict:
    return create({"id": f"{actor.uri}#votes/{n}", "type": "Note", "name": name, "attributedTo": actor.uri,
                   "to": [poll["account"]["uri"]], "inReplyTo": poll["uri"]})


async def _refusal(app, activity: dict) -> str | None:
    async with app.state.sessions() as session:
        return (await session.execute(select(InboxItem.last_error)
                                      .where(InboxItem.activity_uri == activity["id"]))).scalar_one()


async def test_api_polls_remote_votes_only_from_those_who_may_see_the_poll(fed_app, fed_client, remote):
    alice = await member(fed_app, "alice")
    dave, erin = remote.actor("dave"), remote.actor("erin")
    follow = activities.follow(f"{dave.uri}/follows/1", dave.uri, alice.actor.uri)
    await deliver(fed_client, dave, follow)
    await drain(fed_app)
    followers_only = await poll_status(fed_client, alice, visibility="private")
    members_only = await poll_status(fed_client, alice, visibility="local")
    root = (await fed_client.post("/api/v1/statuses", json={"status": "rota", "visibility": "local"},
                                  headers=alice.headers)).json()
    in_thread = await poll_status(fed_client, alice, visibility="private", in_reply_to_id=root["id"])
    counted, refused = [_vote(dave, 1, "6 months", followers_only)], [
        _vote(erin, 1, "6 months", followers_only),  # not a follower
        _vote(dave, 2, "6 months", members_only),  # members-only: never a remote voter
        _vote(dave, 3, "6 months", in_thread)]  # followers-only, but in a members-only thread
    for activity in counted + refused:
        await deliver(fed_client, dave if activity["actor"] == dave.uri else erin, activity)
    await drain(fed_app)
    assert await _refusal(fed_app, counted[0]) is None
    for activity in refused:
        assert "may not see" in await _refusal(fed_app, activity), activity["object"]["inReplyTo"]
    votes = [(await fed_client.get(f"/api/v1/polls/{s['id']}", headers=alice.headers)).json()["votes_count"]
             for s in (followers_only, members_only, in_thread)]
    assert votes == [1, 0, 0]

    # dave stops following: the results of the followers-only poll no longer go to him
    await deliver(fed_client, dave, activities.undo(f"{dave.uri}/follows/1/undo", dave.uri, follow))
    await drain(fed_app)
    await _expire(fed_app, int(followers_only["id"]))
    async with fed_app.state.sessions() as session:
        assert await poll_closing.close_due(fed_app.state.runtime, session) == 1
        await session.commit()
        results = [d for d in (await session.execute(select(Delivery))).scalars() if "#updates/poll/" in d.activity_uri]
    assert results == []


async def test_api_polls_voting_on_a_remote_poll_sends_the_votes_to_its_author(fed_app, fed_client, remote):
    bob = await member(fed_app, "bob")
    author = remote.actor("dora")
    end = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    question = remote.note(author, 7, type="Question", endTime=end, votersCount=4, anyOf=[
        {"type": "Note", "name": "troponin", "replies": {"type": "Collection", "totalItems": 3}},
        {"type": "Note", "name": "D-dimer", "replies": {"type": "Collection", "totalItems": 1}}])
    await deliver(fed_client, author, create(question))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post_id = (await session.execute(select(Post.id).where(Post.uri == question["id"]))).scalar_one()
        assert await session.get(PollDeadline, post_id) is not None
    voted = await fed_client.post(f"/api/v1/polls/{post_id}/votes", json={"choices": [0, 1]}, headers=bob.headers)
    assert voted.status_code == 200, voted.text
    assert [o["votes_count"] for o in voted.json()["options"]] == [4, 2] and voted.json()["voters_count"] == 5
    async with fed_app.state.sessions() as session:
        deliveries = list((await session.execute(select(Delivery))).scalars())
    assert {d.inbox for d in deliveries} == {f"{author.uri}/inbox"}
    notes = sorted((json.loads(d.body) for d in deliveries), key=lambda a: a["object"]["name"])
    assert [(a["type"], a["object"]["type"], a["object"]["name"], a["object"]["inReplyTo"], a["to"])
            for a in notes] == [("Create", "Note", n, question["id"], [author.uri]) for n in ("D-dimer", "troponin")]
    assert all(a["object"]["attributedTo"] == bob.actor.uri and a["object"]["id"].startswith(bob.actor.uri)
               for a in notes)
    # the origin's Update with closing counts replaces ours
    closed = {**question, "closed": end, "votersCount": 6, "anyOf": [
        {"type": "Note", "name": "troponin", "replies": {"type": "Collection", "totalItems": 4}},
        {"type": "Note", "name": "D-dimer", "replies": {"type": "Collection", "totalItems": 2}}]}
    await deliver(fed_client, author, {**create(closed), "id": f"{question['id']}#updates/1", "type": "Update"})
    await drain(fed_app)
    poll = (await fed_client.get(f"/api/v1/polls/{post_id}", headers=bob.headers)).json()
    assert poll["expired"] and poll["voters_count"] == 6 and poll["own_votes"] == [0, 1]


async def test_api_polls_remote_poll_end_notifies_local_voters(fed_app, fed_client, remote):
    bob = await member(fed_app, "bob")
    author = remote.actor("dora")
    end = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    question = remote.note(author, 8, type="Question", endTime=end, oneOf=[
        {"type": "Note", "name": "yes"}, {"type": "Note", "name": "no"}])
    await deliver(fed_client, author, create(question))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post_id = (await session.execute(select(Post.id).where(Post.uri == question["id"]))).scalar_one()
    await fed_client.post(f"/api/v1/polls/{post_id}/votes", json={"choices": [0]}, headers=bob.headers)
    await _expire(fed_app, post_id)
    async with fed_app.state.sessions() as session:
        await poll_closing.close_due(fed_app.state.runtime, session)
        await session.commit()
        notes = list((await session.execute(select(Notification))).scalars())
    assert [(n.type, n.recipient_id, n.post_id) for n in notes] == [("poll", bob.id, post_id)]
