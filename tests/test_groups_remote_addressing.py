"""Members here taking part in a REMOTE group's thread (a Lemmy community on one server, the thread's author on
another, both fake remotes on loopback): a Like and its Undo reach the author and the group, once each, with the
group as `audience` (Lemmy's shape); a public reply that does not mention the group is addressed to it (cc and
`audience`) and delivered to its inbox, and so are its edit and its delete; followers-only and direct replies
never are."""
import json

import pytest
from sqlalchemy import select

from server.db.models import Follow, Post
from server.services.federation.remote_actors import fetch_actor
from tests.support.fake_remote import PUBLIC, FakeRemote, deliver, deliver_queued, drain, serving
from tests.support.members import member


@pytest.fixture
async def ds9():
    """The server of the thread's author (the group, `main`, is on `remote`)."""
    async with serving() as fake:
        yield fake


class Thread:
    def __init__(self, group, author, uri: str, local_id: str):
        self.group, self.author, self.uri, self.id = group, author, uri, local_id


def _accepting(fake: FakeRemote) -> None:
    fake.docs["/inbox"] = fake.docs["/users/beta/inbox"] = {"accepted": True}  # any POST there answers 200


async def _thread(app, client, remote: FakeRemote, ds9: FakeRemote, alice, *, names_group: bool) -> Thread:
    """A thread by beta@ds9 in the community main@remote, announced by the community to alice, who follows it.
    `names_group`: a Lemmy Page, addressed to its community; else a Mastodon-shaped Note that does not name it.
    (`ds9` may be `remote`: the author on the community's own server.)"""
    group = remote.actor("main", path="/c/main")
    remote.publish({**group.document(), "type": "Group", "endpoints": {"sharedInbox": f"{remote.base}/inbox"}})
    author = ds9.actor("beta")
    to = [group.uri, PUBLIC] if names_group else [PUBLIC]
    page = {"id": f"{ds9.base}/post/1", "type": "Page" if names_group else "Note", "attributedTo": author.uri,
            "name": "Loop diuretics at discharge", "content": "<p>Who stops them, and when?</p>", "to": to,
            "cc": [] if names_group else [author.followers], "published": "2026-12-01T10:00:00Z",
            **({"audience": group.uri} if names_group else {})}
    create = {"id": f"{ds9.base}/activities/create/1", "type": "Create", "actor": author.uri, "to": to,
              "cc": page["cc"], "object": page}
    ds9.publish(page)
    ds9.publish(create)
    for fake in (remote, ds9):
        _accepting(fake)
    async with app.state.sessions() as session:
        row = await fetch_actor(app.state.runtime, session, group.uri)
        session.add(Follow(follower_id=alice.actor.id, followed_id=row.id, uri=f"{alice.actor.uri}/follows/1",
                           state="accepted"))
        await session.commit()
    announce = {"id": f"{remote.base}/activities/announce/1", "type": "Announce", "actor": group.uri,
                "to": [PUBLIC], "cc": [group.followers], "object": create}
    assert (await deliver(client, group, announce)).status_code == 202
    await drain(app)
    async with app.state.sessions() as session:
        stored = await session.scalar(select(Post.id).where(Post.uri == page["id"]))
    assert stored is not None
    return Thread(group, author, page["id"], str(stored))


def _posted(fake: FakeRemote, path: str) -> list[dict]:
    """The activities POSTed to `path` on the fake, in order."""
    return [json.loads(r.body) for r in fake.server.requests if r.method == "POST" and r.target == path]


def _forget(*fakes: FakeRemote) -> None:
    for fake in fakes:
        fake.server.requests.clear()


async def _status(client, headers, text: str, **extra) -> dict:
    response = await client.post("/api/v1/statuses", json={"status": text, **extra}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_groups_remote_addressing_like_and_undo_reach_the_author_and_the_group(
        fed_app, fed_client, fed_settings, remote, ds9):
    alice = await member(fed_app, "alice")
    thread = await _thread(fed_app, fed_client, remote, ds9, alice, names_group=True)
    _forget(remote, ds9)
    liked = await fed_client.post(f"/api/v1/statuses/{thread.id}/favourite", headers=alice.headers)
    assert liked.status_code == 200, liked.text
    await deliver_queued(fed_settings)
    [to_group], [to_author] = _posted(remote, "/inbox"), _posted(ds9, "/users/beta/inbox")
    assert to_group == to_author
    assert (to_group["type"], to_group["actor"], to_group["object"]) == ("Like", alice.actor.uri, thread.uri)
    assert to_group["audience"] == thread.group.uri

    _forget(remote, ds9)
    undone = await fed_client.post(f"/api/v1/statuses/{thread.id}/unfavourite", headers=alice.headers)
    assert undone.status_code == 200, undone.text
    await deliver_queued(fed_settings)
    [to_group], [to_author] = _posted(remote, "/inbox"), _posted(ds9, "/users/beta/inbox")
    assert to_group == to_author and to_group["type"] == "Undo" and to_group["audience"] == thread.group.uri
    assert to_group["object"]["type"] == "Like" and to_group["object"]["object"] == thread.uri
    assert to_group["object"]["audience"] == thread.group.uri


async def test_groups_remote_addressing_a_group_that_only_announced_the_thread_is_not_its_group(
        fed_app, fed_client, fed_settings, remote, ds9):
    """Any Group may announce any public post: its boost alone does not make the thread its own, so our members'
    likes and replies there go to the author alone (the first post must name the group)."""
    alice = await member(fed_app, "alice")
    thread = await _thread(fed_app, fed_client, remote, ds9, alice, names_group=False)
    _forget(remote, ds9)
    assert (await fed_client.post(f"/api/v1/statuses/{thread.id}/favourite", headers=alice.headers)).status_code == 200
    reply = await _status(fed_client, alice.headers, "Stop at the first review", in_reply_to_id=thread.id)
    await deliver_queued(fed_settings)
    assert _posted(remote, "/inbox") == []
    [like] = _posted(ds9, "/users/beta/inbox")
    assert like["type"] == "Like" and "audience" not in like
    [create] = _posted(ds9, "/inbox")
    assert create["object"]["id"] == reply["uri"] and "audience" not in create
    assert thread.group.uri not in (*create.get("to", []), *create.get("cc", []))


async def test_groups_remote_addressing_a_reply_its_edit_and_delete_reach_the_group(
        fed_app, fed_client, fed_settings, remote, ds9):
    alice = await member(fed_app, "alice")
    thread = await _thread(fed_app, fed_client, remote, ds9, alice, names_group=True)
    _forget(remote, ds9)
    reply = await _status(fed_client, alice.headers, "Stop at the first review if euvolaemic",
                          in_reply_to_id=thread.id)  # no mention of the group
    nested = await _status(fed_client, alice.headers, "Unless the weight climbs", in_reply_to_id=reply["id"])
    await deliver_queued(fed_settings)
    creates = _posted(remote, "/inbox")
    assert sorted(c["object"]["id"] for c in creates) == sorted([reply["uri"], nested["uri"]])
    for create in creates:
        assert create["type"] == "Create" and create["audience"] == thread.group.uri
        assert thread.group.uri in create["cc"] and thread.group.uri in create["object"]["cc"]
        assert create["object"]["audience"] == thread.group.uri and PUBLIC in create["object"]["to"]
        assert not any(t.get("href") == thread.group.uri for t in create["object"].get("tag", []))  # not a mention
    assert [c["object"]["id"] for c in _posted(ds9, "/inbox")] == [reply["uri"]]  # the replied-to author's server

    _forget(remote, ds9)
    edited = await fed_client.put(f"/api/v1/statuses/{reply['id']}", headers=alice.headers,
                                  json={"status": "Stop at the first review if euvolaemic and the creatinine holds"})
    assert edited.status_code == 200, edited.text
    deleted = await fed_client.delete(f"/api/v1/statuses/{nested['id']}", headers=alice.headers)
    assert deleted.status_code == 200, deleted.text
    await deliver_queued(fed_settings)
    update, delete = sorted(_posted(remote, "/inbox"), key=lambda a: a["type"], reverse=True)
    assert (update["type"], update["object"]["id"]) == ("Update", reply["uri"])
    assert update["audience"] == update["object"]["audience"] == thread.group.uri
    assert "creatinine" in update["object"]["content"] and thread.group.uri in update["cc"]
    assert (delete["type"], delete["object"]["id"]) == ("Delete", nested["uri"])
    assert delete["audience"] == thread.group.uri and thread.group.uri in delete["cc"]


async def test_groups_remote_addressing_a_like_is_posted_once_where_author_and_group_share_an_inbox(
        fed_app, fed_client, fed_settings, remote):
    alice = await member(fed_app, "alice")
    thread = await _thread(fed_app, fed_client, remote, remote, alice, names_group=True)
    _forget(remote)
    assert (await fed_client.post(f"/api/v1/statuses/{thread.id}/favourite", headers=alice.headers)).status_code == 200
    await deliver_queued(fed_settings)
    [like] = _posted(remote, "/inbox")
    assert like["type"] == "Like" and like["audience"] == thread.group.uri
    assert _posted(remote, "/users/beta/inbox") == []  # not a second POST to the same server


@pytest.mark.parametrize("visibility", ["private", "direct"])
async def test_groups_remote_addressing_narrower_replies_never_reach_the_group(
        fed_app, fed_client, fed_settings, remote, ds9, visibility):
    alice = await member(fed_app, "alice")
    thread = await _thread(fed_app, fed_client, remote, ds9, alice, names_group=True)
    _forget(remote, ds9)
    reply = await _status(fed_client, alice.headers, "Between us: I stop them at once", in_reply_to_id=thread.id,
                          visibility=visibility)
    edited = await fed_client.put(f"/api/v1/statuses/{reply['id']}", headers=alice.headers,
                                  json={"status": "Between us: I stop them at once, mostly"})
    assert edited.status_code == 200, edited.text
    assert (await fed_client.delete(f"/api/v1/statuses/{reply['id']}", headers=alice.headers)).status_code == 200
    await deliver_queued(fed_settings)
    assert _posted(remote, "/inbox") == []
    sent = _posted(ds9, "/inbox")  # the replied-to author's server alone
    assert sorted(a["type"] for a in sent) == ["Create", "Delete", "Update"]
    for activity in sent:
        assert thread.group.uri not in (*activity.get("to", []), *activity.get("cc", []))
        assert "audience" not in activity


async def test_groups_remote_addressing_a_like_outside_any_group_goes_to_its_author_alone(
        fed_app, fed_client, fed_settings, remote, ds9):
    alice = await member(fed_app, "alice")
    author = ds9.actor("beta")
    _accepting(ds9)
    note = {"id": f"{ds9.base}/statuses/9", "type": "Note", "attributedTo": author.uri, "content": "<p>hi</p>",
            "to": [PUBLIC], "cc": [author.followers], "published": "2026-12-01T10:00:00Z"}
    create = {"id": f"{note['id']}/activity", "type": "Create", "actor": author.uri, "to": [PUBLIC], "object": note}
    assert (await deliver(fed_client, author, create)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        post_id = await session.scalar(select(Post.id).where(Post.uri == note["id"]))
    assert (await fed_client.post(f"/api/v1/statuses/{post_id}/favourite", headers=alice.headers)).status_code == 200
    await deliver_queued(fed_settings)
    [like] = _posted(ds9, "/users/beta/inbox")
    assert like["type"] == "Like" and "audience" not in like and _posted(remote, "/inbox") == []
