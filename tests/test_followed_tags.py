"""Followed hashtags: /api/v1/tags/:name, follow/unfollow, /api/v1/followed_tags, and the fan-out of new
public posts carrying a followed tag into the follower's home timeline (local posts, and remote ones
through the inbox's batched and single paths)."""
from datetime import datetime, timezone

from sqlalchemy import select

from moderation.domains import Severity
from server.db.models import AccountModeration, Actor, HomeTimelineEntry, Post
from server.db.types import utcnow
from tests.support.api import check_auth
from tests.support.fake_remote import PUBLIC, create, deliver, drain
from tests.support.members import member, token
from tests.support.moderation import host_of, set_policy

JSON = {"content-type": "application/json"}


async def _post(client, who, text: str, visibility: str = "public") -> dict:
    response = await client.post("/api/v1/statuses", headers=who.headers,
                                 json={"status": text, "visibility": visibility})
    assert response.status_code == 200, response.text
    return response.json()


async def _entries(app, owner) -> set[int]:
    """The post ids written to `owner`'s home timeline (before any read-time filter)."""
    async with app.state.sessions() as session:
        rows = await session.execute(select(HomeTimelineEntry.post_id).where(HomeTimelineEntry.owner_id == owner.id))
        return set(rows.scalars())


async def _home(client, who) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=who.headers)
    assert response.status_code == 200
    return [s["id"] for s in response.json()]


async def _follow(client, who, tag: str) -> dict:
    response = await client.post(f"/api/v1/tags/{tag}/follow", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- the client API ---------------------------------------------------------------------------------

async def test_tags_show_gives_name_url_and_a_week_of_history(app, client):
    ann, bob = await member(app, "ann"), await member(app, "bob")
    await _post(client, ann, "Two views of one #Echo")
    await _post(client, ann, "and another #echo")
    await _post(client, bob, "#ECHO loops")
    await _post(client, bob, "private #echo", "private")  # not counted: not everyone may see it
    response = await client.get("/api/v1/tags/Echo")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "echo" and body["url"] == app.state.urls.tag("echo")
    assert "following" not in body  # only with a member's token
    history = body["history"]
    assert len(history) == 7
    midnight = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    assert history[0] == {"day": str(int(midnight.timestamp())), "uses": "3", "accounts": "2"}
    assert all(day["uses"] == "0" for day in history[1:])
    assert int(history[0]["day"]) - int(history[1]["day"]) == 86400


async def test_tags_follow_show_list_and_unfollow(app, client):
    ann = await member(app, "ann")
    assert (await client.get("/api/v1/tags/cardiology", headers=ann.headers)).json()["following"] is False
    followed = await _follow(client, ann, "Cardiology")
    assert (followed["name"], followed["following"]) == ("cardiology", True)
    assert (await _follow(client, ann, "cardiology"))["following"] is True  # again: no change, no error
    assert (await client.get("/api/v1/tags/CARDIOLOGY", headers=ann.headers)).json()["following"] is True
    listed = await client.get("/api/v1/followed_tags", headers=ann.headers)
    assert listed.status_code == 200
    assert [(t["name"], t["following"], len(t["history"])) for t in listed.json()] == [("cardiology", True, 7)]
    response = await client.post("/api/v1/tags/cardiology/unfollow", headers=ann.headers)
    assert response.status_code == 200 and response.json()["following"] is False
    assert (await client.get("/api/v1/followed_tags", headers=ann.headers)).json() == []


async def test_followed_tags_pages_by_follow_with_link_headers(app, client):
    ann, bob = await member(app, "ann"), await member(app, "bob")
    for tag in ("echo", "cardiology", "ecg"):
        await _follow(client, ann, tag)
    await _follow(client, bob, "nephrology")  # not ann's
    first = await client.get("/api/v1/followed_tags?limit=2", headers=ann.headers)
    assert [t["name"] for t in first.json()] == ["ecg", "cardiology"]
    next_url = first.headers["link"].split(";")[0].strip("<>")
    second = await client.get(next_url, headers=ann.headers)
    assert [t["name"] for t in second.json()] == ["echo"]
    prev_url = second.headers["link"].split(", ")[1].split(";")[0].strip("<>")
    assert [t["name"] for t in (await client.get(prev_url, headers=ann.headers)).json()] == ["ecg", "cardiology"]


async def test_tags_refuse_names_that_are_no_hashtag(app, client):
    ann = await member(app, "ann")
    for name in ("1234", "a%20b", "x" * 129, "%23%23echo", "bad-name"):
        assert (await client.get(f"/api/v1/tags/{name}")).status_code == 422, name
        assert (await client.post(f"/api/v1/tags/{name}/follow", headers=ann.headers)).status_code == 422, name
    assert (await client.get("/api/v1/tags/%23echo")).json()["name"] == "echo"  # one '#' is forgiven
    assert (await client.get("/api/v1/tags/café")).json()["name"] == "café"


async def test_tags_auth_missing_token_401_wrong_scope_403(app, client):
    ann = await member(app, "ann")
    read_only = await token(app, ann, "read")
    write_only = await token(app, ann, "write")
    await check_auth(client, "POST", "/api/v1/tags/echo/follow", read_only)
    await check_auth(client, "POST", "/api/v1/tags/echo/unfollow", read_only)
    await check_auth(client, "GET", "/api/v1/followed_tags", write_only)
    assert (await client.get("/api/v1/tags/echo")).status_code == 200  # anyone may look
    assert (await client.get("/api/v1/tags/echo", headers=write_only)).status_code == 403
    assert (await client.get("/api/v1/tags/echo", headers={"authorization": "Bearer nope"})).status_code == 401
    granular = await token(app, ann, "write:follows read:follows")
    assert (await client.post("/api/v1/tags/echo/follow", headers=granular)).json()["following"] is True


# --- fan-out of local posts -------------------------------------------------------------------------

async def test_tag_follow_brings_public_local_posts_into_home(app, client):
    ann, bob, cat = await member(app, "ann"), await member(app, "bob"), await member(app, "cat")
    await _follow(client, ann, "echo")
    public = await _post(client, bob, "Interesting #Echo today")
    others = [await _post(client, bob, f"#echo {v}", v) for v in ("unlisted", "private", "local")]
    untagged = await _post(client, bob, "no tag here")
    boost = await client.post(f"/api/v1/statuses/{public['id']}/reblog", headers=cat.headers)
    assert boost.status_code == 200  # a boost is no original post: it reaches cat's followers only
    entries = await _entries(app, ann)
    assert entries == {int(public["id"])}
    assert all(int(p["id"]) not in entries for p in (*others, untagged))
    assert await _home(client, ann) == [public["id"]]


async def test_tag_follow_unfollow_stops_new_posts(app, client):
    ann, bob = await member(app, "ann"), await member(app, "bob")
    await _follow(client, ann, "echo")
    before = await _post(client, bob, "#echo one")
    await client.post("/api/v1/tags/echo/unfollow", headers=ann.headers)
    after = await _post(client, bob, "#echo two")
    assert await _entries(app, ann) == {int(before["id"])}
    assert after["id"] not in await _home(client, ann)


async def test_tag_follow_skips_blocked_and_blocking_authors(app, client):
    ann, bob, cat, dan = [await member(app, n) for n in ("ann", "bob", "cat", "dan")]
    await _follow(client, ann, "echo")
    assert (await client.post(f"/api/v1/accounts/{bob.id}/block", headers=ann.headers)).status_code == 200
    assert (await client.post(f"/api/v1/accounts/{ann.id}/block", headers=cat.headers)).status_code == 200
    by_bob = await _post(client, bob, "#echo from a blocked author")
    by_cat = await _post(client, cat, "#echo from an author who blocks ann")
    by_dan = await _post(client, dan, "#echo from dan")
    entries = await _entries(app, ann)
    assert int(by_dan["id"]) in entries
    assert int(by_bob["id"]) not in entries and int(by_cat["id"]) not in entries


async def test_tag_follow_muted_author_is_hidden_when_reading(app, client):
    ann, bob = await member(app, "ann"), await member(app, "bob")
    await _follow(client, ann, "echo")
    assert (await client.post(f"/api/v1/accounts/{bob.id}/mute", headers=ann.headers)).status_code == 200
    muted = await _post(client, bob, "#echo from a muted author")
    assert int(muted["id"]) in await _entries(app, ann)  # mutes are applied when reading, as for follows
    assert muted["id"] not in await _home(client, ann)


async def test_tag_follow_skips_limited_authors(app, client):
    ann, bob = await member(app, "ann"), await member(app, "bob")
    await _follow(client, ann, "echo")
    async with app.state.sessions() as session:
        session.add(AccountModeration(actor_id=bob.id, limited_at=utcnow()))
        await session.commit()
    limited = await _post(client, bob, "#echo from a limited account")
    assert int(limited["id"]) not in await _entries(app, ann)


async def test_tag_follow_gets_a_held_post_once_a_moderator_approves_it(app, client):
    from server.services.instance.settings import set_phi_policy

    ann, bob = await member(app, "ann"), await member(app, "bob")
    moderator = (await member(app, "mod", role="moderator", scopes="read write admin:read admin:write")).headers
    async with app.state.sessions() as session:
        await set_phi_policy(session, "hold", by="test")
        await session.commit()
    await _follow(client, ann, "echo")
    held = await _post(client, bob, "#echo for Pt John Smith, DOB 03/14/1961, MRN 4482913")
    assert int(held["id"]) not in await _entries(app, ann)
    queue = "/api/v1/curbside/admin/held_statuses"
    [item] = (await client.get(queue, headers=moderator)).json()
    assert (await client.post(f"{queue}/{item['id']}/approve", headers=moderator)).status_code == 200
    assert int(held["id"]) in await _entries(app, ann)


async def test_tag_follow_ends_when_the_member_deletes_her_account(app, client):
    from server.db.models import Account, TagFollow
    from server.services.accounts.deletion import delete_account

    ann, bob = await member(app, "ann"), await member(app, "bob")
    await _follow(client, ann, "echo")
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).where(Account.actor_id == ann.id))).scalar_one()
        await delete_account(app.state.runtime, session, account)
        await session.commit()
        assert (await session.execute(select(TagFollow))).first() is None
    await _post(client, bob, "#echo after she left")
    assert await _entries(app, ann) == set()


# --- fan-out of remote posts through the inbox ------------------------------------------------------

def _tagged(remote, author, n: int, **addressing) -> dict:
    return remote.note(author, n, content="Case #Echo", **addressing,
                       tag=[{"type": "Hashtag", "name": "#Echo", "href": f"{remote.base}/tags/echo"}])


async def _post_ids(app, *uris: str) -> list[int | None]:
    async with app.state.sessions() as session:
        found = dict((await session.execute(select(Post.uri, Post.id).where(Post.uri.in_(uris)))).all())
    return [found.get(uri) for uri in uris]


async def test_tag_follow_remote_posts_through_the_batch(fed_app, fed_client, remote):
    ann, bob = await member(fed_app, "ann"), await member(fed_app, "bob")
    await _follow(fed_client, ann, "echo")
    alice = remote.actor("alice")
    public = _tagged(remote, alice, 1)
    unlisted = _tagged(remote, alice, 2, to=[alice.followers], cc=[PUBLIC])
    private = _tagged(remote, alice, 3, to=[alice.followers], cc=[])
    untagged = remote.note(alice, 4)
    for note in (public, unlisted, private, untagged):
        assert (await deliver(fed_client, alice, create(note))).status_code == 202
    await drain(fed_app)
    ids = await _post_ids(fed_app, public["id"], unlisted["id"], private["id"], untagged["id"])
    assert None not in ids
    assert await _entries(fed_app, ann) == {ids[0]}
    assert await _home(fed_client, ann) == [str(ids[0])]
    assert await _entries(fed_app, bob) == set()


async def test_tag_follow_remote_post_through_the_single_path(fed_app, fed_client, remote):
    ann, bob = await member(fed_app, "ann"), await member(fed_app, "bob")
    await _follow(fed_client, ann, "echo")
    alice = remote.actor("alice")
    # Mentioning a member takes the single path (stored at once, with the mention's notification).
    mentions = [{"type": "Mention", "href": bob.actor.uri, "name": "@bob"},
                {"type": "Hashtag", "name": "#echo"}]
    public = remote.note(alice, 1, content="@bob #echo", tag=mentions, cc=[alice.followers, bob.actor.uri])
    private = remote.note(alice, 2, content="@bob #echo", tag=mentions, to=[alice.followers, bob.actor.uri], cc=[])
    for note in (public, private):
        assert (await deliver(fed_client, alice, create(note))).status_code == 202
    await drain(fed_app)
    ids = await _post_ids(fed_app, public["id"], private["id"])
    assert await _entries(fed_app, ann) == {ids[0]}


async def test_tag_follow_remote_posts_skip_blocks_and_limited_domains(fed_app, fed_client, remote):
    ann = await member(fed_app, "ann")
    await _follow(fed_client, ann, "echo")
    alice, bob = remote.actor("alice"), remote.actor("bob")
    await deliver(fed_client, alice, create(remote.note(alice, 1)))  # stores alice to block her
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        alice_id = await session.scalar(select(Actor.id).where(Actor.uri == alice.uri))
    assert (await fed_client.post(f"/api/v1/accounts/{alice_id}/block", headers=ann.headers)).status_code == 200
    await deliver(fed_client, alice, create(_tagged(remote, alice, 2)))
    await deliver(fed_client, bob, create(_tagged(remote, bob, 3)))
    await drain(fed_app)
    assert await _entries(fed_app, ann) == set(await _post_ids(fed_app, _tagged(remote, bob, 3)["id"]))
    await set_policy(fed_app, host_of(remote), Severity.LIMIT)
    await deliver(fed_client, bob, create(_tagged(remote, bob, 4)))
    await drain(fed_app)
    [limited] = await _post_ids(fed_app, _tagged(remote, bob, 4)["id"])
    assert limited is not None and limited not in await _entries(fed_app, ann)
