"""A community closed to visitors (the site setting `public_timelines` off, the default) keeps its posts from them
on every surface: client API, web pages, ActivityPub outboxes; members and federating servers read as before.
Also: the list of peers never tells which domains the instance blocks."""
import httpx

from moderation.domains import Severity
from tests.support import factories
from tests.support.members import ALL_SCOPES, member, open_to_visitors
from tests.support.moderation import allow, set_policy
from tests.support.web import log_in

AS = {"accept": "application/activity+json"}
BASE = "https://curbside.test"


async def _alice_posts(app, client) -> tuple[dict, dict]:
    """alice (a member, with a pinned public post tagged #echo) and her token's headers; the post."""
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    post = (await client.post("/api/v1/statuses", json={"status": "Lovely #echo today"}, headers=alice)).json()
    assert (await client.post(f"/api/v1/statuses/{post['id']}/pin", headers=alice)).status_code == 200
    return alice, post


async def _api(client, account_id: str, headers: dict) -> dict[str, httpx.Response]:
    paths = {"local": "/api/v1/timelines/public?local=true", "public": "/api/v1/timelines/public",
             "tag": "/api/v1/timelines/tag/echo", "statuses": f"/api/v1/accounts/{account_id}/statuses",
             "pinned": f"/api/v1/accounts/{account_id}/statuses?pinned=true"}
    return {name: await client.get(path, headers=headers) for name, path in paths.items()}


async def test_closed_community_api_timelines_and_account_statuses_refuse_visitors(app, client):
    alice, post = await _alice_posts(app, client)
    visitor = await _api(client, post["account"]["id"], {})
    assert {name: r.status_code for name, r in visitor.items()} == dict.fromkeys(visitor, 401)
    assert all("members" in r.json()["error"] for r in visitor.values())
    seen = await _api(client, post["account"]["id"], (await member(app, "bea", scopes=ALL_SCOPES)).headers)
    assert all([s["id"] for s in r.json()] == [post["id"]] for r in seen.values()), seen
    await open_to_visitors(app)
    opened = await _api(client, post["account"]["id"], {})
    assert all([s["id"] for s in r.json()] == [post["id"]] for r in opened.values()), opened


async def test_closed_community_web_pages_show_visitors_no_posts(app, client):
    _, post = await _alice_posts(app, client)
    profile = await client.get("/@alice")
    assert profile.status_code == 200 and "@alice" in profile.text and "Lovely" not in profile.text
    assert "for members" in profile.text and 'href="/login?next=' in profile.text
    assert (await client.get("/tags/echo")).headers["location"].startswith("/login?next=")
    assert (await client.get("/public")).status_code == 404
    await open_to_visitors(app)
    for path in ("/@alice", "/tags/echo", "/public"):
        page = await client.get(path)
        assert page.status_code == 200 and "Lovely" in page.text, path
    await open_to_visitors(app, False)
    await member(app, "bea")
    assert (await log_in(client, "bea")).status_code == 303
    for path in ("/@alice", "/tags/echo", "/local"):
        page = await client.get(path)
        assert page.status_code == 200 and "Lovely" in page.text, path


async def test_closed_community_outbox_shows_items_to_signed_fetches_only(app, client, session):
    _, post = await _alice_posts(app, client)
    bob = await factories.remote_actor(session, "bob")
    await session.commit()
    outbox, featured = f"{BASE}/users/alice/outbox", f"{BASE}/users/alice/collections/featured"
    bare = (await client.get(outbox, headers=AS)).json()
    assert bare["totalItems"] == 1 and "first" not in bare and "orderedItems" not in bare
    paged = (await client.get(f"{outbox}?page=true", headers=AS)).json()
    assert paged["type"] == "OrderedCollection" and post["uri"] not in str(paged)
    assert (await client.get(featured, headers=AS)).json()["orderedItems"] == []
    signed = (await client.get(f"{outbox}?page=true", headers=factories.signed_headers(f"{outbox}?page=true", bob)))
    assert [i["object"]["id"] for i in signed.json()["orderedItems"]] == [post["uri"]]
    pinned = (await client.get(featured, headers=factories.signed_headers(featured, bob))).json()
    assert [n["id"] for n in pinned["orderedItems"]] == [post["uri"]]
    await open_to_visitors(app)
    opened = (await client.get(f"{outbox}?page=true", headers=AS)).json()
    assert [i["object"]["id"] for i in opened["orderedItems"]] == [post["uri"]]


async def test_peers_leave_out_the_domains_the_instance_blocks(app, client, session):
    for host in ("friends.example", "gone.example", "quiet.example", "nomedia.example", "sub.gone.example",
                 "kept.gone.example"):
        await factories.remote_actor(session, "someone", host)
    await session.commit()
    await set_policy(app, "gone.example")
    await set_policy(app, "quiet.example", Severity.LIMIT)
    await set_policy(app, "nomedia.example", Severity.NOOP, reject_media=True)
    await allow(app, "kept.gone.example")
    peers = (await client.get("/api/v1/instance/peers")).json()
    assert peers == ["friends.example", "kept.gone.example"]
