"""Actor documents, the instance actor, content negotiation and the actors' collections."""
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from server.ap.negotiate import wants_activity_json
from server.app import create_app
from server.db.models import Actor
from tests.support import factories

AS = {"accept": "application/activity+json"}
BASE = "https://curbside.test"


@pytest.fixture
async def alice(app, session):
    actor = await factories.member(session, app.state.urls, "curbside.test", "alice",
                                   display_name="Alice <Surgeon>", summary="<p>Hand surgery</p>",
                                   fields=[{"name": "ORCID", "value": "0000-0001"}], manually_approves=True,
                                   icon_url="https://curbside.test/media/a.png")
    await session.commit()
    return actor


@pytest.fixture
async def secure(settings):
    """A client of the same database with authorized fetch on."""
    app = create_app(replace(settings, authorized_fetch=True))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
            yield c


@pytest.mark.parametrize("accept, expected", [
    ("application/activity+json", True),
    ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
    ("application/ld+json", True),
    ("application/json", True),
    ("text/html,application/xhtml+xml,*/*;q=0.8", False),
    ("text/html, application/activity+json;q=0.5", False),
    ("application/activity+json, text/html;q=0.9", True),
    ("application/activity+json;q=0", False),
    ("*/*", False),
    ("", False),
    (None, False),
])
def test_negotiate_tells_servers_from_browsers(accept, expected):
    assert wants_activity_json(accept) is expected


async def test_actor_document_has_what_mastodon_reads(client, alice, session):
    response = await client.get("/users/alice", headers=AS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/activity+json")
    assert response.headers["vary"] == "Accept"
    doc = response.json()
    assert doc["@context"][:2] == ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
    assert doc["@context"][2]["manuallyApprovesFollowers"] == "as:manuallyApprovesFollowers"
    assert doc["id"] == f"{BASE}/users/alice" and doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice" and doc["name"] == "Alice <Surgeon>"
    assert doc["summary"] == "<p>Hand surgery</p>" and doc["url"] == f"{BASE}/@alice"
    assert doc["inbox"] == f"{BASE}/users/alice/inbox" and doc["outbox"] == f"{BASE}/users/alice/outbox"
    assert doc["followers"] == f"{BASE}/users/alice/followers" and doc["following"] == f"{BASE}/users/alice/following"
    assert doc["endpoints"] == {"sharedInbox": f"{BASE}/inbox"}
    assert doc["manuallyApprovesFollowers"] is True and doc["discoverable"] is True
    assert doc["attachment"] == [{"type": "PropertyValue", "name": "ORCID", "value": "0000-0001"}]
    assert doc["icon"] == {"type": "Image", "mediaType": "image/png", "url": "https://curbside.test/media/a.png"}
    assert doc["published"].endswith("Z")
    stored = (await session.execute(select(Actor.public_key_pem).where(Actor.id == alice.id))).scalar_one()
    assert doc["publicKey"] == {"id": f"{BASE}/users/alice#main-key", "owner": doc["id"], "publicKeyPem": stored}


async def test_actor_is_found_by_any_case_and_unknown_is_404(client, alice):
    assert (await client.get("/users/ALICE", headers=AS)).json()["id"] == f"{BASE}/users/alice"
    missing = await client.get("/users/nobody", headers=AS)
    assert missing.status_code == 404 and missing.headers["vary"] == "Accept"
    assert (await client.get("/users/curbside.test", headers=AS)).status_code == 404


async def test_actor_browsers_are_redirected_to_the_profile(client, alice):
    response = await client.get("/users/alice", headers={"accept": "text/html"})
    assert response.status_code == 302 and response.headers["location"] == f"{BASE}/@alice"
    assert response.headers["vary"] == "Accept"


async def test_actor_profile_page_escapes_and_links_alternate(client, alice):
    response = await client.get("/@alice", headers={"accept": "text/html"})
    assert response.status_code == 200 and response.headers["vary"] == "Accept"
    assert "Alice &lt;Surgeon&gt;" in response.text and "<Surgeon>" not in response.text
    assert f'<link rel="alternate" type="application/activity+json" href="{BASE}/users/alice">' in response.text
    assert (await client.get("/@alice", headers=AS)).json()["id"] == f"{BASE}/users/alice"


async def test_actor_document_is_refreshed_after_forget(client, app, alice, session):
    from server.caches import forget_actor
    assert (await client.get("/users/alice", headers=AS)).json()["name"] == "Alice <Surgeon>"
    row = await session.get(Actor, alice.id)
    row.display_name = "Dr Alice"
    forget_actor(session, "alice")
    await session.commit()
    assert (await client.get("/users/alice", headers=AS)).json()["name"] == "Dr Alice"


async def test_instance_actor_is_an_application(client, session):
    doc = (await client.get("/actor", headers=AS)).json()
    assert doc["type"] == "Application" and doc["id"] == f"{BASE}/actor"
    assert doc["preferredUsername"] == "curbside.test" and doc["manuallyApprovesFollowers"] is True
    stored = (await session.execute(select(Actor.public_key_pem).where(Actor.uri == doc["id"]))).scalar_one()
    assert doc["publicKey"]["publicKeyPem"] == stored and doc["publicKey"]["id"] == f"{BASE}/actor#main-key"
    assert "followers" not in doc and "featured" not in doc


async def _signed_get(client, url: str, signer: Actor) -> dict:
    """A fetch by a server this one federates with (a closed community shows outboxes only to those)."""
    url = url if url.startswith("https://") else BASE + url
    return (await client.get(url, headers=factories.signed_headers(url, signer))).json()


async def test_outbox_lists_public_and_unlisted_posts_only(client, app, alice, session):
    urls = app.state.urls
    bob = await factories.remote_actor(session, "bob")
    public = await factories.post(session, urls, alice, "public", id=111 << 22)
    unlisted = await factories.post(session, urls, alice, "unlisted", id=112 << 22)
    await factories.post(session, urls, alice, "private")
    await factories.post(session, urls, alice, "direct", mentions=[bob])
    members_only = await factories.post(session, urls, alice, "local")
    await factories.post(session, urls, alice, "public", in_reply_to=members_only)  # under a members-only thread
    boost = await factories.post(session, urls, alice, "public", boost_of=public, id=113 << 22)
    await factories.post(session, urls, alice, "public", boost_of=members_only)
    await session.commit()
    collection = await _signed_get(client, "/users/alice/outbox", bob)
    assert collection["type"] == "OrderedCollection"
    assert collection["first"] == f"{BASE}/users/alice/outbox?page=true"
    page = await _signed_get(client, collection["first"], bob)
    kinds = [(item["type"], item["id"]) for item in page["orderedItems"]]
    assert kinds == [("Announce", boost.uri), ("Create", f"{unlisted.uri}/activity"),
                     ("Create", f"{public.uri}/activity")]
    assert page["orderedItems"][1]["object"]["id"] == unlisted.uri
    assert page["orderedItems"][0]["object"] == public.uri
    assert "private" not in str(page) and members_only.uri not in str(page)


async def test_outbox_pages_by_id(client, app, alice, session):
    posts = [await factories.post(session, app.state.urls, alice) for _ in range(25)]
    posts.sort(key=lambda p: p.id)  # ids made in the same millisecond are ordered at random
    bob = await factories.remote_actor(session, "bob")
    await session.commit()
    first = await _signed_get(client, "/users/alice/outbox?page=true", bob)
    assert len(first["orderedItems"]) == 20 and first["orderedItems"][0]["object"]["id"] == posts[-1].uri
    second = await _signed_get(client, first["next"], bob)
    assert [i["object"]["id"] for i in second["orderedItems"]] == [p.uri for p in reversed(posts[:5])]
    newer = await _signed_get(client, second["prev"], bob)
    assert [i["object"]["id"] for i in newer["orderedItems"]][-1] == posts[5].uri


async def test_followers_and_following_count_accepted_follows(client, app, alice, session):
    remotes = [await factories.remote_actor(session, f"r{i}") for i in range(14)]
    for remote in remotes:
        await factories.follow(session, remote, alice)
    pending = await factories.remote_actor(session, "pending")
    await factories.follow(session, pending, alice, state="pending")
    await factories.follow(session, alice, remotes[0])
    await session.commit()
    followers = (await client.get("/users/alice/followers")).json()
    assert followers["totalItems"] == 14 and followers["first"] == f"{BASE}/users/alice/followers?page=1"
    page1 = (await client.get(followers["first"])).json()
    page2 = (await client.get(page1["next"])).json()
    listed = page1["orderedItems"] + page2["orderedItems"]
    assert len(page1["orderedItems"]) == 12 and "next" not in page2 and page2["prev"] == followers["first"]
    assert listed == [r.uri for r in reversed(remotes)] and pending.uri not in listed
    following = (await client.get("/users/alice/following")).json()
    assert following["totalItems"] == 1
    assert (await client.get("/users/alice/following?page=1")).json()["orderedItems"] == [remotes[0].uri]


async def test_authorized_fetch_restricts_unsigned_actor_and_refuses_collections(secure, alice, session):
    doc = (await secure.get("/users/alice", headers=AS)).json()
    assert set(doc) == {"@context", "id", "type", "preferredUsername", "inbox", "outbox", "publicKey", "endpoints"}
    assert (await secure.get("/users/alice/outbox", headers=AS)).status_code == 401
    assert (await secure.get("/users/alice/followers", headers=AS)).status_code == 401
    assert (await secure.get("/actor", headers=AS)).json()["type"] == "Application"
    assert (await secure.get("/.well-known/webfinger?resource=acct:alice@curbside.test")).status_code == 200


async def test_authorized_fetch_serves_signed_requests_in_full(secure, alice, session):
    bob = await factories.remote_actor(session, "bob")
    await session.commit()
    url = f"{BASE}/users/alice"
    doc = (await secure.get(url, headers=factories.signed_headers(url, bob))).json()
    assert doc["name"] == "Alice <Surgeon>" and "followers" in doc
    outbox = f"{url}/outbox"
    assert (await secure.get(outbox, headers=factories.signed_headers(outbox, bob))).status_code == 200
    forged = factories.signed_headers(outbox, bob) | {"Date": "Mon, 01 Jan 2024 00:00:00 GMT"}
    assert (await secure.get(outbox, headers=forged)).status_code == 401
