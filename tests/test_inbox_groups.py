"""Activities relayed by a Group (FEP-1b12), with Lemmy's own payloads: unwrapped and handled as their
actor's only as their origin confirms them (the Group signed them, not their actor)."""
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db.models import Actor, Follow, HomeTimelineEntry, InboxItem, Post
from server.services.federation.remote_actors import fetch_actor
from tests.support.fake_remote import PUBLIC, FakeRemote, deliver, drain, serving
from tests.support.members import member

LEMMY = Path(__file__).parent / "data" / "fixtures_real" / "lemmy" / "activities"


def _lemmy(name: str, **origins: str) -> dict:
    """A Lemmy payload with its servers (enterprise, ds9) moved to our fake remotes."""
    text = (LEMMY / name).read_text()
    for host, base in origins.items():
        text = text.replace(f"http://{host}.lemmy.ml", base).replace(f"https://{host}.lemmy.ml", base)
    return json.loads(text)


def _announce(group, activity: dict, n: int) -> dict:
    """Wrapped as Lemmy's communities wrap what they relay."""
    return {"actor": group.uri, "to": [PUBLIC], "object": activity, "cc": [group.followers], "type": "Announce",
            "id": f"{group.uri.rsplit('/c/', 1)[0]}/activities/announce/{n}"}


def _community(fake: FakeRemote, name: str):
    group = fake.actor(name, path=f"/c/{name}")
    fake.publish({**group.document(), "type": "Group"})
    return group


@pytest.fixture
async def ds9():
    async with serving() as fake:
        yield fake


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def _followed_by(app, local, group) -> None:
    async with app.state.sessions() as session:
        row = await fetch_actor(app.state.runtime, session, group.uri)
        session.add(Follow(follower_id=local.id, followed_id=row.id, uri=f"{local.uri}/follows/1", state="accepted"))
        await session.commit()


async def test_inbox_groups_lemmy_post_relayed_by_its_community(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    group = _community(remote, "main")
    remote.actor("lemmy_beta", path="/u/lemmy_beta")
    await _followed_by(fed_app, carol, group)
    announce = _lemmy("community/announce_create_page.json", enterprise=remote.base)
    remote.publish({**announce["object"]["object"], "name": "post 4 as its origin serves it"})
    assert (await deliver(fed_client, group, announce)).status_code == 202
    await drain(fed_app)
    [page] = await _all(fed_app, Post, Post.uri == f"{remote.base}/post/7")
    assert page.object_type == "Page" and page.author.uri == f"{remote.base}/u/lemmy_beta"
    assert "as its origin serves it" in page.content_html  # fetched: the Group's copy is not its author's word
    # Carol follows the community: she sees the post as its boost.
    timeline = await _all(fed_app, Post, Post.id.in_(select(HomeTimelineEntry.post_id)
                                                     .where(HomeTimelineEntry.owner_id == carol.id)))
    assert [(p.uri, p.boost_of_id, p.author.uri) for p in timeline] == [(announce["id"], page.id, group.uri)]

    # The author deletes it; the community relays the Delete (Lemmy's own shape). It is done once the
    # post's origin no longer serves it.
    delete = {**_lemmy("deletion/delete_page.json", ds9=remote.base, enterprise=remote.base),
              "actor": f"{remote.base}/u/lemmy_beta", "object": page.uri}
    assert (await deliver(fed_client, group, _announce(group, delete, 2))).status_code == 202
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post, Post.boost_of_id.is_(None))] == [page.uri]
    [refused] = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert "its origin still serves" in refused.last_error
    del remote.docs["/post/7"]
    assert (await deliver(fed_client, group, _announce(group, delete, 3))).status_code == 202
    await drain(fed_app)
    assert await _all(fed_app, Post) == []


async def test_inbox_groups_activity_of_another_server_is_fetched_from_its_origin(fed_app, fed_client, remote, ds9):
    group = _community(remote, "main")
    ds9.actor("lemmy_alpha", path="/u/lemmy_alpha")
    comment = _lemmy("create_or_update/create_comment.json", ds9=ds9.base, enterprise=remote.base)
    ds9.publish(comment)  # what its origin serves at its id
    forged = json.loads(json.dumps(comment).replace('"content": "hello"', '"content": "forged by the relay"'))
    missing = {**forged, "id": forged["id"] + "-not-served"}
    for n, activity in enumerate((forged, missing)):
        assert (await deliver(fed_client, group, _announce(group, activity, n))).status_code == 202
    await drain(fed_app)
    [stored] = await _all(fed_app, Post)
    assert (stored.uri, stored.content_html) == (comment["object"]["id"], "hello")  # not the relay's copy
    assert stored.boost_of_id is None and not await _all(fed_app, Post, Post.boost_of_id.is_not(None))  # a reply
    [failed] = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert "cannot fetch" in failed.last_error and missing["id"] in failed.last_error


async def test_inbox_groups_delete_of_another_server_is_applied_once_its_origin_has_no_post(fed_app, fed_client,
                                                                                          remote, ds9):
    # No server serves its Deletes (Mastodon and Curbside answer 404 at a Delete's id): the relayed copy is taken
    # and checked against the post's origin, as a forwarded Delete is.
    group = _community(remote, "main")
    author = ds9.actor("lemmy_alpha", path="/u/lemmy_alpha")
    note = ds9.note(author, 1)
    create = {"id": note["id"] + "/activity", "type": "Create", "actor": author.uri, "to": [PUBLIC], "object": note}
    ds9.publish(create)
    ds9.publish(note)
    assert (await deliver(fed_client, group, _announce(group, create, 1))).status_code == 202
    await drain(fed_app)
    assert [p.uri for p in await _all(fed_app, Post, Post.boost_of_id.is_(None))] == [note["id"]]
    delete = {"id": note["id"] + "#delete", "type": "Delete", "actor": author.uri, "to": [PUBLIC],
              "object": {"id": note["id"], "type": "Tombstone"}}
    assert (await deliver(fed_client, group, _announce(group, delete, 2))).status_code == 202
    await drain(fed_app)
    [refused] = await _all(fed_app, InboxItem, InboxItem.state == "failed")
    assert "its origin still serves" in refused.last_error  # the relay's word alone deletes nothing
    del ds9.docs[note["id"].removeprefix(ds9.base)]
    assert (await deliver(fed_client, group, _announce(group, delete, 3))).status_code == 202
    await drain(fed_app)
    assert await _all(fed_app, Post, Post.uri == note["id"]) == []


async def test_inbox_groups_only_a_group_relays_activities(fed_app, fed_client, remote, caplog):
    person = remote.actor("alice")
    author = remote.actor("bob")
    note = remote.note(author, 1)
    create = {"id": note["id"] + "/activity", "type": "Create", "actor": author.uri, "to": [PUBLIC], "object": note}
    relayed = {"id": f"{person.uri}/announce/1", "type": "Announce", "actor": person.uri, "to": [PUBLIC],
               "object": create}
    assert (await deliver(fed_client, person, relayed)).status_code == 202
    await drain(fed_app)
    assert await _all(fed_app, Post) == []
    [item] = await _all(fed_app, InboxItem)
    assert item.state == "failed" and "only a Group relays activities" in item.last_error
    assert "only a Group relays activities" in caplog.text
    assert await _all(fed_app, Actor, Actor.uri == author.uri) == []  # nothing was done on its behalf
