"""Applicants (accounts not yet confirmed and approved) are nobody to the world: every surface that shows or finds
accounts answers for them as for a name never taken, and the real name given for review stays private."""
import httpx
from sqlalchemy import select, update

from federation import activities
from server.db.models import Account, Actor, Follow, MemberProfile, Mention
from server.db.types import utcnow
from server.services.accounts import member_admin
from server.services.instance.settings import set_registration_mode
from tests.support.fake_remote import deliver, drain
from tests.support.members import ALL_SCOPES, PASSWORD, member
from tests.support.web import form_token, log_in

AS = {"accept": "application/activity+json"}


async def _apply(app, client) -> Account:
    """Ann asks to join an instance in approval mode, giving her real name for review."""
    async with app.state.sessions() as session:
        await set_registration_mode(session, "approval")
        await session.commit()
    form = {"csrf_token": await form_token(client, "/login"), "username": "ann", "email": "ann@example.org",
            "password": PASSWORD, "password_confirmation": PASSWORD, "agreement": "on",
            "real_name": "Ann Realname", "profession": "physician", "reason": "Cardiologist at St Elsewhere"}
    assert (await client.post("/signup", data=form)).status_code == 200
    client.cookies.clear()
    async with app.state.sessions() as session:
        return (await session.execute(select(Account).where(Account.email == "ann@example.org"))).scalar_one()


async def _admit(app, account: Account, **changes) -> None:
    values = {"confirmed_at": utcnow(), "approved_at": utcnow(), **changes}
    async with app.state.sessions() as session:
        await session.execute(update(Account).where(Account.id == account.id).values(**values))
        await session.commit()


def _web_client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url)


async def _statuses(client, ann_id: int, member: dict) -> dict[str, int]:
    """The status of each page and document that shows Ann's account."""
    gets = {
        "web profile": ("/@ann", {}), "actor": ("/users/ann", AS), "actor page": ("/users/ann", {}),
        "outbox": ("/users/ann/outbox", AS), "followers": ("/users/ann/followers", AS),
        "following": ("/users/ann/following", AS), "featured": ("/users/ann/collections/featured", AS),
        "webfinger": ("/.well-known/webfinger?resource=acct:ann@curbside.test", {}),
        "lookup": ("/api/v1/accounts/lookup?acct=ann", {}),
        "lookup by member": ("/api/v1/accounts/lookup?acct=ann", member),
        "account": (f"/api/v1/accounts/{ann_id}", member), "statuses": (f"/api/v1/accounts/{ann_id}/statuses", member),
        "api followers": (f"/api/v1/accounts/{ann_id}/followers", member),
    }
    return {name: (await client.get(path, headers=headers)).status_code for name, (path, headers) in gets.items()}


async def _found(client, ann_id: int, member: dict, web: httpx.AsyncClient) -> dict[str, bool]:
    """Whether each search, directory and relationship finds Ann."""
    search = (await client.get("/api/v2/search", params={"q": "ann@curbside.test"}, headers=member)).json()
    prefix = (await client.get("/api/v1/accounts/search", params={"q": "an"}, headers=member)).json()
    directory = (await client.get("/api/v1/directory", params={"local": "true"}, headers=member)).json()
    relationships = await client.get("/api/v1/accounts/relationships", params={"id[]": ann_id}, headers=member)
    return {"search": any(a["username"] == "ann" for a in search["accounts"]),
            "prefix search": any(a["username"] == "ann" for a in prefix),
            "directory": any(a["username"] == "ann" for a in directory),
            "relationships": [r["id"] for r in relationships.json()] == [str(ann_id)],
            "web search": "@ann" in (await web.get("/search", params={"q": "ann"})).text}


async def _member_counts(client) -> list[int]:
    """The member count of /api/v1/instance and of NodeInfo."""
    return [(await client.get("/api/v1/instance")).json()["stats"]["user_count"],
            (await client.get("/nodeinfo/2.1")).json()["usage"]["users"]["total"]]


async def test_publicity_applicant_real_name_never_becomes_the_display_name(app, client):
    ann = await _apply(app, client)
    async with app.state.sessions() as session:
        profile = await session.get(MemberProfile, ann.actor_id)
        stored = await session.get(Account, ann.id)
        assert profile.real_name == "Ann Realname"  # for the admins' review
        assert stored.actor.display_name == "ann"
    await _admit(app, ann)
    document = (await client.get("/users/ann", headers=AS)).json()
    assert document["name"] == "ann" and "Realname" not in str(document)
    assert "Realname" not in (await client.get("/@ann")).text


async def test_publicity_applicant_is_nobody_on_every_surface_until_admitted(app, client):
    ann = await _apply(app, client)
    as_member = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    await member(app, "reader")
    async with _web_client(app) as web:
        assert (await log_in(web, "reader")).status_code == 303
        hidden = await _statuses(client, ann.actor_id, as_member)
        assert set(hidden.values()) == {404}, hidden
        assert not any((await _found(client, ann.actor_id, as_member, web)).values())
        follow = await client.post(f"/api/v1/accounts/{ann.actor_id}/follow", headers=as_member)
        assert follow.status_code == 404
        assert await _member_counts(client) == [2, 2]  # alice and reader
        await _admit(app, ann, approved_at=None)  # confirmed, still waiting for an admin
        assert set((await _statuses(client, ann.actor_id, as_member)).values()) == {404}
        await _admit(app, ann)
        shown = await _statuses(client, ann.actor_id, as_member)
        assert shown == {**{name: 200 for name in shown}, "actor page": 302}, shown
        assert all((await _found(client, ann.actor_id, as_member, web)).values())
        assert (await client.get("/api/v1/instance")).json()["stats"]["user_count"] == 3  # NodeInfo is cached


async def test_publicity_mentions_of_an_applicant_resolve_to_nobody(app, client):
    ann = await _apply(app, client)
    as_member = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    posted = (await client.post("/api/v1/statuses", json={"status": "Welcome @ann"}, headers=as_member)).json()
    assert posted["mentions"] == [] and 'href="https://curbside.test/@ann"' not in posted["content"]
    async with app.state.sessions() as session:
        assert (await session.execute(select(Mention).where(Mention.actor_id == ann.actor_id))).first() is None
    await _admit(app, ann)
    again = (await client.post("/api/v1/statuses", json={"status": "Welcome @ann"}, headers=as_member)).json()
    assert [m["username"] for m in again["mentions"]] == ["ann"]


async def test_publicity_remote_follow_and_inbox_of_an_applicant_are_refused(fed_app, fed_client, remote):
    ann = await _apply(fed_app, fed_client)
    bob = remote.actor("bob")
    follow = activities.follow(f"{bob.uri}/follows/1", bob.uri, f"{fed_app.state.settings.base_url}/users/ann")
    assert (await deliver(fed_client, bob, follow, "/users/ann/inbox")).status_code == 404
    assert (await deliver(fed_client, bob, follow)).status_code == 202  # the shared inbox takes it...
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(Follow))).first() is None  # ...and finds nobody to follow
    await _admit(fed_app, ann)
    again = activities.follow(f"{bob.uri}/follows/2", bob.uri, f"{fed_app.state.settings.base_url}/users/ann")
    assert (await deliver(fed_client, bob, again, "/users/ann/inbox")).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert [f.followed_id for f in (await session.execute(select(Follow))).scalars()] == [ann.actor_id]


async def _disable(app, username: str) -> None:
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).join(Account.actor).where(Actor.username == username))
                   ).scalar_one()
        await member_admin.disable(session, account, by="cli:root")
        await session.commit()


async def test_publicity_a_disabled_members_posts_and_follows_vanish(app, client):
    ann = (await member(app, "ann", scopes=ALL_SCOPES)).headers
    alice = (await member(app, "alice", scopes=ALL_SCOPES)).headers
    ann_id = (await client.get("/api/v1/accounts/verify_credentials", headers=ann)).json()["id"]
    alice_id = (await client.get("/api/v1/accounts/verify_credentials", headers=alice)).json()["id"]
    for me, other in ((ann, alice_id), (alice, ann_id)):
        assert (await client.post(f"/api/v1/accounts/{other}/follow", headers=me)).json()["following"]
    post = (await client.post("/api/v1/statuses", json={"status": "Rounds at 8"}, headers=ann)).json()
    assert [s["id"] for s in (await client.get("/api/v1/timelines/home", headers=alice)).json()] == [post["id"]]
    await _disable(app, "ann")
    assert (await client.get(f"/api/v1/statuses/{post['id']}", headers=alice)).status_code == 404
    for timeline in ("home", "public"):
        assert (await client.get(f"/api/v1/timelines/{timeline}", headers=alice)).json() == [], timeline
    for listing in ("followers", "following"):
        assert (await client.get(f"/api/v1/accounts/{alice_id}/{listing}", headers=alice)).json() == [], listing
        collection = (await client.get(f"/users/alice/{listing}", headers=AS)).json()
        page = (await client.get(f"/users/alice/{listing}?page=1", headers=AS)).json()
        assert (collection["totalItems"], page["totalItems"], page["orderedItems"]) == (0, 0, []), listing


async def test_publicity_a_disabled_members_inbox_refuses_at_once(fed_app, fed_client, remote):
    await member(fed_app, "ann")
    bob = remote.actor("bob")
    ann_uri = f"{fed_app.state.settings.base_url}/users/ann"
    first = activities.follow(f"{bob.uri}/follows/1", bob.uri, ann_uri)
    assert (await deliver(fed_client, bob, first, "/users/ann/inbox")).status_code == 202  # the inbox now knows ann
    await _disable(fed_app, "ann")
    again = activities.follow(f"{bob.uri}/follows/2", bob.uri, ann_uri)
    assert (await deliver(fed_client, bob, again, "/users/ann/inbox")).status_code == 404
