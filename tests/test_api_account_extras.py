"""What members keep about other accounts and do with their followers: private notes, endorsements (featured
profiles), removing a follower (a Reject to a remote one's server), familiar followers."""
import json

from sqlalchemy import select

from federation import activities
from server.db.models import Actor, Delivery, Follow
from tests.support.api import check_auth
from tests.support.fake_remote import deliver, drain
from tests.support.members import member, token


async def _relationship(client, me, other_id) -> dict:
    response = await client.get("/api/v1/accounts/relationships", params={"id[]": other_id}, headers=me.headers)
    return response.json()[0]


async def _follow(client, me, other) -> None:
    assert (await client.post(f"/api/v1/accounts/{other.id}/follow", headers=me.headers)).status_code == 200


async def test_api_account_note_is_private_to_its_writer(client, alice, bob):
    kept = await client.post(f"/api/v1/accounts/{bob.id}/note", json={"comment": "Met at ESC 2026, echo"},
                             headers=alice.headers)
    assert kept.status_code == 200 and kept.json()["note"] == "Met at ESC 2026, echo"
    assert (await _relationship(client, alice, bob.id))["note"] == "Met at ESC 2026, echo"
    assert (await _relationship(client, bob, alice.id))["note"] == ""
    account = (await client.get(f"/api/v1/accounts/{bob.id}", headers=alice.headers)).json()
    assert "ESC" not in json.dumps(account)
    too_long = await client.post(f"/api/v1/accounts/{bob.id}/note", json={"comment": "x" * 2001},
                                 headers=alice.headers)
    assert too_long.status_code == 422
    cleared = await client.post(f"/api/v1/accounts/{bob.id}/note", json={"comment": ""}, headers=alice.headers)
    assert cleared.json()["note"] == ""


async def test_api_account_note_needs_write_accounts(app, client, alice, bob):
    await check_auth(client, "POST", f"/api/v1/accounts/{bob.id}/note", await token(app, alice, "read"),
                     json={"comment": "x"})


async def test_api_endorsements_only_of_followed_accounts_listed_and_paged(app, client, alice, bob):
    carol, dave = await member(app, "carol"), await member(app, "dave")
    refused = await client.post(f"/api/v1/accounts/{bob.id}/pin", headers=alice.headers)
    assert refused.status_code == 422 and "follow" in refused.json()["error"]
    for other in (bob, carol, dave):
        await _follow(client, alice, other)
        pinned = await client.post(f"/api/v1/accounts/{other.id}/pin", headers=alice.headers)
        assert pinned.status_code == 200 and pinned.json()["endorsed"] is True
    page = await client.get("/api/v1/endorsements", params={"limit": 2}, headers=alice.headers)
    assert [a["id"] for a in page.json()] == [str(dave.id), str(carol.id)]
    rest = await client.get(page.headers["link"].split(">")[0].lstrip("<"), headers=alice.headers)
    assert [a["id"] for a in rest.json()] == [str(bob.id)]
    assert (await _relationship(client, bob, alice.id))["endorsed"] is False
    await client.post(f"/api/v1/accounts/{carol.id}/unfollow", headers=alice.headers)
    assert (await _relationship(client, alice, carol.id))["endorsed"] is False
    unpinned = await client.post(f"/api/v1/accounts/{dave.id}/unpin", headers=alice.headers)
    assert unpinned.json()["endorsed"] is False
    assert [a["id"] for a in (await client.get("/api/v1/endorsements", headers=alice.headers)).json()] == [
        str(bob.id)]
    await check_auth(client, "GET", "/api/v1/endorsements", await token(app, alice, "write"))


async def test_api_endorsement_ends_with_a_block(client, alice, bob):
    await _follow(client, alice, bob)
    await client.post(f"/api/v1/accounts/{bob.id}/pin", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/block", headers=bob.headers)
    assert (await client.get("/api/v1/endorsements", headers=alice.headers)).json() == []


async def test_api_remove_from_followers_of_a_local_follower(client, alice, bob):
    await _follow(client, bob, alice)
    removed = await client.post(f"/api/v1/accounts/{bob.id}/remove_from_followers", headers=alice.headers)
    assert removed.status_code == 200 and removed.json()["followed_by"] is False
    assert (await _relationship(client, bob, alice.id))["following"] is False
    assert (await client.get(f"/api/v1/accounts/{alice.id}/followers", headers=bob.headers)).json() == []


async def test_api_remove_from_followers_sends_a_remote_follower_a_reject(fed_app, fed_client, remote):
    carol = await member(fed_app, "carol")
    ann = remote.actor("ann")
    follow = activities.follow(f"{ann.uri}/follows/1", ann.uri, carol.actor.uri)
    await deliver(fed_client, ann, follow)
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        ann_id = await session.scalar(select(Actor.id).where(Actor.uri == ann.uri))
    removed = await fed_client.post(f"/api/v1/accounts/{ann_id}/remove_from_followers", headers=carol.headers)
    assert removed.status_code == 200 and removed.json()["followed_by"] is False
    async with fed_app.state.sessions() as session:
        assert list((await session.execute(select(Follow))).scalars()) == []
        sent = [json.loads(d.body) | {"inbox": d.inbox}
                for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]
    reject = sent[-1]
    assert (reject["type"], reject["actor"], reject["inbox"]) == ("Reject", carol.actor.uri, f"{ann.uri}/inbox")
    assert (reject["object"]["type"], reject["object"]["id"], reject["object"]["actor"]) == (
        "Follow", follow["id"], ann.uri)


async def test_api_familiar_followers_are_followed_accounts_among_followers(app, client, alice, bob):
    carol, dave, eve = await member(app, "carol"), await member(app, "dave"), await member(app, "eve")
    for me, other in ((alice, bob), (alice, carol), (bob, dave), (carol, dave), (eve, dave), (eve, bob)):
        await _follow(client, me, other)
    found = await client.get("/api/v1/accounts/familiar_followers", params=[("id[]", dave.id), ("id[]", bob.id)],
                             headers=alice.headers)
    by_id = {entry["id"]: sorted(a["username"] for a in entry["accounts"]) for entry in found.json()}
    assert by_id == {str(dave.id): ["bob", "carol"], str(bob.id): []}
    await client.post(f"/api/v1/accounts/{alice.id}/block", headers=dave.headers)  # dave blocks alice
    found = await client.get("/api/v1/accounts/familiar_followers", params={"id[]": dave.id}, headers=alice.headers)
    assert found.json() == [{"id": str(dave.id), "accounts": []}]
    await check_auth(client, "GET", "/api/v1/accounts/familiar_followers", await token(app, alice, "write"))


async def test_api_account_extras_go_with_a_deleted_account(app, client, alice, bob):
    from server.db.models import Account, AccountNote, ConversationMute, Endorsement, FeaturedTag
    from server.services.accounts.deletion import delete_account
    from tests.support.api import status

    await _follow(client, alice, bob)
    await client.post(f"/api/v1/accounts/{bob.id}/pin", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{bob.id}/note", json={"comment": "colleague"}, headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/note", json={"comment": "mentor"}, headers=bob.headers)
    await client.post("/api/v1/featured_tags", json={"name": "echo"}, headers=alice.headers)
    post = await status(client, bob, "a thread")
    await client.post(f"/api/v1/statuses/{post['id']}/mute", headers=alice.headers)
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.actor_id == alice.id))).scalar_one()
        await delete_account(app.state.runtime, session, account)
        await session.commit()
        for model in (AccountNote, ConversationMute, Endorsement, FeaturedTag):
            assert (await session.execute(select(model))).first() is None, model
