"""A post addressed to a group hosted here is stored and relayed to the group's followers in an Announce signed
by the group, the Create embedded (as Lemmy's communities do); refused authors and members-only groups relay
nothing off-instance."""
import json
import logging

from sqlalchemy import delete, event, select

from federation import activities
from federation.addressing import PUBLIC
from server.db.models import Delivery, Group, Post
from server.services.groups import registry
from server.services.groups.registry import GroupFields, NewGroup
from tests.support.fake_remote import create, deliver, drain


async def make_group(app, join="open"):
    async with app.state.sessions() as session:
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain,
                                            NewGroup("heart", GroupFields(title="Heart", join=join)), by="test")
        await session.commit()
        return group.actor


async def deliveries(app):
    async with app.state.sessions() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def joined(app, client, group, *followers):
    """`followers` join the group (an open one accepts); the Accepts are cleared."""
    for n, follower in enumerate(followers):
        await deliver(client, follower, activities.follow(f"{follower.uri}/follows/{n}", follower.uri, group.uri))
    await drain(app)
    async with app.state.sessions() as session:
        await session.execute(delete(Delivery))
        await session.commit()


def lemmy_page(remote, author, group, n=1):
    """A thread as Lemmy posts it: a Page with a title, to the group and the public, audience the group."""
    return remote.note(author, n, to=[group.uri, PUBLIC], cc=[], type="Page", name="HFpEF and SGLT2",
                       audience=group.uri)


async def test_lemmy_page_to_the_group_is_stored_and_announced_by_the_group(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    page = lemmy_page(remote, alice, group)
    assert (await deliver(fed_client, alice, create(page), "/groups/heart/inbox")).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Post.uri))).scalars().all() == [page["id"]]
    [delivery] = await deliveries(fed_app)
    announce = json.loads(delivery.body)
    assert delivery.signer_id == group.id and delivery.inbox == remote.base + "/inbox"
    assert (announce["type"], announce["actor"]) == ("Announce", group.uri)
    assert announce["to"] == [PUBLIC] and announce["cc"] == [f"{group.uri}/followers"]
    inner = announce["object"]
    assert (inner["type"], inner["id"], inner["actor"]) == ("Create", page["id"] + "/activity", alice.uri)
    assert (inner["object"]["type"], inner["object"]["name"]) == ("Page", "HFpEF and SGLT2")
    assert "@context" not in inner


async def test_mastodon_note_mentioning_the_group_is_relayed_once(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    note = remote.note(alice, 2, cc=[alice.followers, group.uri],
                       tag=[{"type": "Mention", "href": group.uri, "name": "@heart@curbside.test"}])
    await deliver(fed_client, alice, create(note))
    await deliver(fed_client, alice, create(note))  # delivered twice: relayed once
    await drain(fed_app)
    assert [json.loads(d.body)["object"]["object"]["id"] for d in await deliveries(fed_app)] == [note["id"]]


async def test_direct_note_to_the_group_is_not_relayed(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    await deliver(fed_client, alice, create(remote.note(alice, 3, to=[group.uri], cc=[])))
    await drain(fed_app)
    assert await deliveries(fed_app) == []
    assert any("only public posts" in r.getMessage() for r in caplog.records)


async def test_post_from_one_who_may_not_post_is_not_relayed(fed_app, fed_client, remote, caplog):
    caplog.set_level(logging.INFO, logger="curbside.groups")
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, bob)
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).join_policy = "members"
        await session.commit()
    await deliver(fed_client, alice, create(lemmy_page(remote, alice, group)))
    await drain(fed_app)
    assert await deliveries(fed_app) == []
    assert any("not relaying" in r.getMessage() and "only members of" in r.getMessage() for r in caplog.records)


async def test_members_only_group_never_delivers_off_instance(fed_app, fed_client, remote):
    group = await make_group(fed_app)
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await joined(fed_app, fed_client, group, alice, bob)  # joined while the group was federated
    async with fed_app.state.sessions() as session:
        (await session.get(Group, group.id)).members_only = True
        await session.commit()
    await deliver(fed_client, alice, create(lemmy_page(remote, alice, group)))
    await drain(fed_app)
    assert await deliveries(fed_app) == []


async def test_note_naming_no_group_here_is_stored_without_asking_for_groups(fed_app, fed_client, remote):
    await make_group(fed_app)
    alice = remote.actor("alice")
    asked = []

    def look(conn, cursor, statement, *rest):
        if "groups" in statement:
            asked.append(statement)
    event.listen(fed_app.state.engine.sync_engine, "before_cursor_execute", look)
    try:
        await deliver(fed_client, alice, create(remote.note(alice, 4, cc=[alice.followers, remote.base + "/groups/x"])))
        await drain(fed_app)
    finally:
        event.remove(fed_app.state.engine.sync_engine, "before_cursor_execute", look)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Post.uri))).scalars().all() == [f"{alice.uri}/statuses/4"]
    assert asked == []
