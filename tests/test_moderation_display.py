"""What members see: posts and accounts of suspended domains hidden everywhere, limited ones kept
out of public timelines (but shown to followers), and each member's own blocks, mutes and domain
blocks."""
import json

import pytest
from sqlalchemy import select

from moderation.domains import FederationMode, Severity
from server.db.ids import snowflake
from server.db.models import AccountModeration, Delivery, Follow, HomeTimelineEntry, Notification, Post
from server.db.types import utcnow
from tests.support import factories
from tests.support.members import bearer, member, open_to_visitors
from tests.support.moderation import allow, mode, set_policy

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def _remote_post(session, author, text: str) -> Post:
    post = Post(id=snowflake(), uri=f"{author.uri}/statuses/{text}", author_id=author.id, author=author, local=False,
                visibility="public", content_html=f"<p>{text}</p>", to=[PUBLIC], cc=[])
    session.add(post)
    await session.flush()
    return post


@pytest.fixture
async def world(app):
    """alice (member, follows bob) and remote bob (limited.example), eve (gone.example, not allowed),
    carl (ok.example) with a public post each, in allowlist mode."""
    alice = await member(app, "alice")
    async with app.state.sessions() as session:
        bob = await factories.remote_actor(session, "bob", "limited.example")
        eve = await factories.remote_actor(session, "eve", "gone.example")
        carl = await factories.remote_actor(session, "carl", "ok.example")
        posts = {name: await _remote_post(session, actor, name) for name, actor in
                 (("bob", bob), ("eve", eve), ("carl", carl))}
        posts["alice"] = await factories.post(session, app.state.urls, await session.merge(alice.actor))
        await factories.follow(session, alice.actor, bob)
        await factories.follow(session, carl, alice.actor)
        session.add_all([HomeTimelineEntry(owner_id=alice.id, post_id=p.id) for p in posts.values()])
        session.add(Notification(id=snowflake(), recipient_id=alice.id, type="follow", from_actor_id=carl.id))
        await session.commit()
    for domain in ("limited.example", "ok.example"):
        await allow(app, domain)
    await set_policy(app, "limited.example", Severity.LIMIT)
    await mode(app, FederationMode.ALLOWLIST)
    await open_to_visitors(app)  # what visitors see is part of what moderation hides
    return {"alice": alice.actor, "token": alice.token, "bob": bob, "eve": eve, "carl": carl,
            "uris": {name: p.uri for name, p in posts.items()}}


def uris(statuses: list[dict]) -> set[str]:
    return {s["uri"] for s in statuses}


async def test_public_timeline_hides_suspended_and_limited_domains_except_to_followers(client, world):
    everyone = uris((await client.get("/api/v1/timelines/public")).json())
    assert everyone == {world["uris"]["carl"], world["uris"]["alice"]}
    following_bob = uris((await client.get("/api/v1/timelines/public", headers=bearer(world["token"]))).json())
    assert following_bob == {world["uris"]["carl"], world["uris"]["alice"], world["uris"]["bob"]}


async def test_home_timeline_search_and_profiles_hide_suspended_domains(client, world):
    auth = bearer(world["token"])
    home = uris((await client.get("/api/v1/timelines/home", headers=auth)).json())
    assert world["uris"]["eve"] not in home and world["uris"]["bob"] in home
    assert (await client.get(f"/api/v1/accounts/{world['eve'].id}", headers=auth)).status_code == 404
    assert (await client.get(f"/api/v1/accounts/{world['bob'].id}", headers=auth)).status_code == 200
    found = (await client.get("/api/v2/search", params={"q": world["uris"]["eve"]}, headers=auth)).json()
    assert found["statuses"] == []
    people = (await client.get("/api/v2/search", params={"q": "eve@gone.example"}, headers=auth)).json()
    assert people["accounts"] == []


async def test_mute_hides_posts_and_notifications_from_the_member_alone(app, client, world):
    auth, carl = bearer(world["token"]), world["carl"]
    assert len((await client.get("/api/v1/notifications", headers=auth)).json()) == 1
    muted = await client.post(f"/api/v1/accounts/{carl.id}/mute", headers=auth)
    assert muted.json()["muting"] is True and muted.json()["muting_notifications"] is True
    assert world["uris"]["carl"] not in uris((await client.get("/api/v1/timelines/home", headers=auth)).json())
    assert (await client.get("/api/v1/notifications", headers=auth)).json() == []
    assert [a["id"] for a in (await client.get("/api/v1/mutes", headers=auth)).json()] == [str(carl.id)]
    assert world["uris"]["carl"] in uris((await client.get("/api/v1/timelines/public")).json())  # others still see
    await client.post(f"/api/v1/accounts/{carl.id}/unmute", headers=auth)
    assert world["uris"]["carl"] in uris((await client.get("/api/v1/timelines/home", headers=auth)).json())


async def test_block_sends_a_block_and_ends_follows_both_ways(app, client, world):
    auth, carl, alice = bearer(world["token"]), world["carl"], world["alice"]
    blocked = (await client.post(f"/api/v1/accounts/{carl.id}/block", headers=auth)).json()
    assert blocked["blocking"] is True and blocked["followed_by"] is False
    async with app.state.sessions() as session:
        assert (await session.execute(select(Follow).where(Follow.follower_id == carl.id))).first() is None
        delivery = (await session.execute(select(Delivery))).scalar_one()
    body = json.loads(delivery.body)
    assert (body["type"], body["actor"], body["object"], delivery.inbox) == ("Block", alice.uri, carl.uri, carl.inbox)
    assert world["uris"]["carl"] not in uris((await client.get("/api/v1/timelines/public", headers=auth)).json())
    await client.post(f"/api/v1/accounts/{carl.id}/unblock", headers=auth)
    async with app.state.sessions() as session:
        undo = [json.loads(d.body) for d in (await session.execute(select(Delivery))).scalars()]
    assert {d["type"] for d in undo} == {"Block", "Undo"}


async def test_domain_block_hides_the_domain_and_removes_followers_there(app, client, world):
    auth, carl = bearer(world["token"]), world["carl"]
    assert (await client.post("/api/v1/domain_blocks", json={"domain": "OK.example"}, headers=auth)).status_code == 200
    assert (await client.get("/api/v1/domain_blocks", headers=auth)).json() == ["ok.example"]
    assert world["uris"]["carl"] not in uris((await client.get("/api/v1/timelines/public", headers=auth)).json())
    relation = (await client.get("/api/v1/accounts/relationships", params={"id[]": carl.id}, headers=auth)).json()
    assert relation[0]["domain_blocking"] is True and relation[0]["followed_by"] is False
    bad = await client.post("/api/v1/domain_blocks", json={"domain": "https://x.example/"}, headers=auth)
    assert bad.status_code == 422 and "URL" in bad.json()["error"]
    await client.request("DELETE", "/api/v1/domain_blocks", json={"domain": "ok.example"}, headers=auth)
    assert world["uris"]["carl"] in uris((await client.get("/api/v1/timelines/public", headers=auth)).json())


async def test_suspended_and_limited_accounts_are_hidden_like_their_domains(app, client, world):
    carl = world["carl"]
    async with app.state.sessions() as session:
        session.add(AccountModeration(actor_id=carl.id, limited_at=utcnow()))
        await session.commit()
    assert world["uris"]["carl"] not in uris((await client.get("/api/v1/timelines/public")).json())
    async with app.state.sessions() as session:
        (await session.get(AccountModeration, carl.id)).suspended_at = utcnow()
        await session.commit()
    auth = bearer(world["token"])
    assert world["uris"]["carl"] not in uris((await client.get("/api/v1/timelines/home", headers=auth)).json())
    assert (await client.get(f"/api/v1/accounts/{carl.id}", headers=auth)).status_code == 404
