"""Follow, Accept/Reject, Undo Follow and Block, as processed by the inbox runner."""
import json

from sqlalchemy import select, update

from federation import activities
from server.db.models import Block, Delivery, Follow, InboxItem, Notification
from tests.support.fake_remote import deliver, drain
from tests.support.members import member


async def _all(app, model, *where):
    async with app.state.sessions() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_inbox_follow_is_accepted_and_an_accept_queued(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    follow = activities.follow(f"{alice.uri}/follows/1", alice.uri, carol.uri)
    assert (await deliver(fed_client, alice, follow)).status_code == 202
    assert await drain(fed_app) == 1
    [row] = await _all(fed_app, Follow)
    assert (row.followed_id, row.state, row.uri) == (carol.id, "accepted", follow["id"])
    [delivery] = await _all(fed_app, Delivery)
    accept = json.loads(delivery.body)
    assert delivery.inbox == f"{alice.uri}/inbox" and delivery.signer_id == carol.id
    assert (accept["type"], accept["actor"], accept["object"]["id"]) == ("Accept", carol.uri, follow["id"])
    assert [n.type for n in await _all(fed_app, Notification)] == ["follow"]


async def test_inbox_follow_processed_twice_changes_nothing(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await deliver(fed_client, alice, activities.follow(f"{alice.uri}/follows/1", alice.uri, carol.uri))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        await session.execute(update(InboxItem).values(state="queued"))
        await session.commit()
    assert await drain(fed_app) == 1
    assert len(await _all(fed_app, Follow)) == 1
    assert len(await _all(fed_app, Delivery)) == 1
    assert len(await _all(fed_app, Notification)) == 1


async def test_inbox_follow_of_a_locked_member_waits_for_approval(fed_app, fed_client, remote):
    dora = (await member(fed_app, "dora", manually_approves=True)).actor
    alice = remote.actor("alice")
    await deliver(fed_client, alice, activities.follow(f"{alice.uri}/follows/2", alice.uri, dora.uri))
    await drain(fed_app)
    assert [f.state for f in await _all(fed_app, Follow)] == ["pending"]
    assert await _all(fed_app, Delivery) == []
    assert [n.type for n in await _all(fed_app, Notification)] == ["follow_request"]


async def test_inbox_undo_follow_removes_it(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    follow = activities.follow(f"{alice.uri}/follows/1", alice.uri, carol.uri)
    await deliver(fed_client, alice, follow)
    await deliver(fed_client, alice, activities.undo(f"{alice.uri}/follows/1/undo", alice.uri, follow))
    await drain(fed_app)
    assert await _all(fed_app, Follow) == []


async def test_inbox_accept_and_reject_of_our_follows(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await drain(fed_app)  # nothing queued; makes sure the runner is idle
    await deliver(fed_client, alice, activities.follow(f"{alice.uri}/f/0", alice.uri, carol.uri))  # alice known
    await deliver(fed_client, bob, activities.follow(f"{bob.uri}/f/0", bob.uri, carol.uri))  # bob known
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        ids = {}
        for actor in (alice, bob):
            row = Follow(follower_id=carol.id, followed_id=(await _remote_id(session, actor.uri)),
                         uri=f"http://curbside.test/follows/{actor.username}")
            session.add(row)
            await session.flush()
            ids[actor.username] = row
        await session.commit()
    ours = {n: activities.follow(r.uri, carol.uri, a.uri) for n, r, a in
            (("alice", ids["alice"], alice), ("bob", ids["bob"], bob))}
    # alice may not accept bob's follow on his behalf
    await deliver(fed_client, alice, activities.accept(f"{alice.uri}#accepts/2", alice.uri, ours["bob"]))
    await deliver(fed_client, alice, activities.accept(f"{alice.uri}#accepts/1", alice.uri, ours["alice"]))
    await deliver(fed_client, bob, activities.reject(f"{bob.uri}#rejects/1", bob.uri, ours["bob"]))
    await drain(fed_app)
    mine = {f.uri: f.state for f in await _all(fed_app, Follow, Follow.follower_id == carol.id)}
    assert mine == {ids["alice"].uri: "accepted"}
    [refused] = await _all(fed_app, InboxItem, InboxItem.activity_uri == f"{alice.uri}#accepts/2")
    assert refused.state == "failed" and "someone else" in refused.last_error


async def _remote_id(session, uri: str) -> int:
    from server.db.models import Actor

    return (await session.execute(select(Actor.id).where(Actor.uri == uri))).scalar_one()


async def test_inbox_block_removes_follows_both_ways_and_undo_lifts_it(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await deliver(fed_client, alice, activities.follow(f"{alice.uri}/f/1", alice.uri, carol.uri))
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        session.add(Follow(follower_id=carol.id, followed_id=await _remote_id(session, alice.uri),
                           uri="http://curbside.test/follows/1", state="accepted"))
        await session.commit()
    block = activities.block(f"{alice.uri}/blocks/1", alice.uri, carol.uri)
    await deliver(fed_client, alice, block)
    await drain(fed_app)
    assert await _all(fed_app, Follow) == []
    assert len(await _all(fed_app, Block)) == 1
    await deliver(fed_client, alice, activities.undo(f"{alice.uri}/blocks/1/undo", alice.uri, block))
    await drain(fed_app)
    assert await _all(fed_app, Block) == []


async def test_inbox_follow_from_a_blocked_actor_is_rejected(fed_app, fed_client, remote):
    carol = (await member(fed_app, "carol")).actor
    alice = remote.actor("alice")
    await deliver(fed_client, alice, activities.like(f"{alice.uri}/l/0", alice.uri, "http://curbside.test/x"))
    await drain(fed_app)  # alice is known now
    async with fed_app.state.sessions() as session:
        session.add(Block(actor_id=carol.id, target_id=await _remote_id(session, alice.uri),
                          uri="http://curbside.test/blocks/1"))
        await session.commit()
    await deliver(fed_client, alice, activities.follow(f"{alice.uri}/f/9", alice.uri, carol.uri))
    await drain(fed_app)
    assert await _all(fed_app, Follow) == []
    assert [json.loads(d.body)["type"] for d in await _all(fed_app, Delivery)] == ["Reject"]
