"""WebFinger, host-meta and NodeInfo as other servers see them."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from server.db.ids import snowflake
from server.db.models import Account, Post
from server.db.types import utcnow
from tests.support import factories

ALICE = "acct:alice@curbside.test"


@pytest.fixture
async def alice(app, session):
    actor = await factories.member(session, app.state.urls, "curbside.test", "Alice")
    await session.commit()
    return actor


async def finger(client, resource):
    return await client.get("/.well-known/webfinger", params={"resource": resource} if resource else None)


async def test_webfinger_answers_jrd_for_a_member(client, alice):
    response = await finger(client, "acct:alice@curbside.test")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jrd+json")
    assert response.headers["access-control-allow-origin"] == "*"
    jrd = response.json()
    assert jrd["subject"] == "acct:Alice@curbside.test"
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": "application/activity+json", "href": "https://curbside.test/users/Alice"}
    assert "https://curbside.test/@Alice" in jrd["aliases"]


@pytest.mark.parametrize("resource", ["https://curbside.test/users/Alice", "https://curbside.test/@Alice",
                                      "alice@curbside.test", "acct:ALICE@CURBSIDE.TEST"])
async def test_webfinger_accepts_actor_and_profile_urls(client, alice, resource):
    response = await finger(client, resource)
    assert response.status_code == 200 and response.json()["subject"] == "acct:Alice@curbside.test"


@pytest.mark.parametrize("resource", ["acct:bob@curbside.test", "acct:alice@elsewhere.example",
                                      "https://elsewhere.example/users/alice", "https://curbside.test/users/alice/outbox",
                                      "https://curbside.test/about", "mailto:alice@curbside.test",
                                      "did:web:curbside.test", "xmpp:alice@curbside.test"])
async def test_webfinger_unknown_resources_are_404(client, alice, resource):
    response = await finger(client, resource)
    assert response.status_code == 404 and response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("resource", [None, "acct:", "acct:no-domain", "acct:a b@curbside.test", "acct:x@bad_domain!"])
async def test_webfinger_unreadable_resources_are_400(client, resource):
    assert (await finger(client, resource)).status_code == 400


async def test_webfinger_hides_disabled_accounts(client, alice, session):
    await session.execute(update(Account).where(Account.actor_id == alice.id).values(disabled_at=utcnow()))
    await session.commit()
    assert (await finger(client, ALICE)).status_code == 404


async def test_webfinger_answers_for_the_instance_actor(client):
    response = await finger(client, "acct:curbside.test@curbside.test")
    assert response.status_code == 200
    self_link = next(link for link in response.json()["links"] if link["rel"] == "self")
    assert self_link["href"] == "https://curbside.test/actor"
    assert (await finger(client, "https://curbside.test/users/curbside.test")).status_code == 404


async def test_host_meta_points_at_webfinger(client):
    response = await client.get("/.well-known/host-meta")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xrd+xml")
    assert 'template="https://curbside.test/.well-known/webfinger?resource={uri}"' in response.text


async def test_nodeinfo_discovery_links_both_versions(client):
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    assert [link["href"] for link in links] == ["https://curbside.test/nodeinfo/2.0", "https://curbside.test/nodeinfo/2.1"]
    assert (await client.get("/nodeinfo/1.0")).status_code == 404


@pytest.mark.parametrize("version", ["2.0", "2.1"])
async def test_nodeinfo_counts_members_activity_and_posts(client, app, session, alice, version):
    urls = app.state.urls
    bob = await factories.member(session, urls, "curbside.test", "bob")
    carol = await factories.member(session, urls, "curbside.test", "carol")
    dave = await factories.member(session, urls, "curbside.test", "dave")
    await session.execute(update(Account).where(Account.actor_id == dave.id).values(disabled_at=utcnow()))
    first = await factories.post(session, urls, alice)
    await factories.post(session, urls, alice, "local")
    await factories.post(session, urls, bob, published=utcnow() - timedelta(days=100))
    await factories.post(session, urls, carol, published=utcnow() - timedelta(days=300))
    await factories.post(session, urls, carol, boost_of=first)  # a boost is activity, not a post
    remote = await factories.remote_actor(session, "zed")
    session.add(Post(id=snowflake(), uri="https://remote.example/n/1", author_id=remote.id))
    await session.commit()
    response = await client.get(f"/nodeinfo/{version}")
    assert response.headers["content-type"] == \
        f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"'
    document = response.json()
    assert document["software"]["name"] == "curbside" and document["software"]["version"] == "0.1.0"
    assert document["usage"] == {"users": {"total": 3, "activeMonth": 2, "activeHalfyear": 3}, "localPosts": 4}
    assert document["openRegistrations"] is False
    assert document["metadata"]["nodeName"] == "Test Society"


async def test_nodeinfo_says_registrations_are_open_when_they_are(settings):
    from dataclasses import replace

    import httpx

    from server.app import create_app
    app = create_app(replace(settings, registration_mode="open"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://curbside.test") as c:
            assert (await c.get("/nodeinfo/2.0")).json()["openRegistrations"] is True


async def test_webfinger_cache_is_dropped_by_forget_actor(client, app, alice, session):
    from server.caches import forget_actor
    assert (await finger(client, ALICE)).status_code == 200
    await session.execute(update(Account).where(Account.actor_id == alice.id).values(disabled_at=utcnow()))
    forget_actor(session, "ALICE")
    await session.commit()
    assert (await finger(client, ALICE)).status_code == 404
