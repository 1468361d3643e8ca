"""Profiles (local, remote), what members do to accounts (follow, block, mute, answer requests), and the
notifications, search and directory pages."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from server.db.models import Account, Actor, Block, Follow, Marker, MemberProfile, Mute, Post
from server.services.posts.fanout import notify
from server.services.social import interactions as social
from server.services.verification import workflow as verification
from tests.loopback_server import json_reply, serve
from tests.support import factories
from tests.support.fake_remote import FakeRemote
from tests.support.members import member
from tests.support.web import csrf_of, log_in, member_session
from tests.test_web_posts import act, actor_of, make_post

CARDIOLOGY = "207RC0000X"


async def _verified(app, username: str, **actor_fields) -> Actor:
    await member(app, username)
    async with app.state.sessions() as session:
        account = (await session.execute(select(Account).join(Account.actor).where(Actor.username == username))
                   ).scalar_one()
        for name, value in actor_fields.items():
            setattr(account.actor, name, value)
        await verification.grant(session, app.state.settings, account, None, profession="physician",
                                 specialty=CARDIOLOGY, jurisdiction="US-MA", mail=[], via="cli")
        await session.commit()
        return account.actor


async def test_profile_shows_member_with_badge_bio_fields_and_alternate(app, client):
    await _verified(app, "alice", display_name="Dr Alice", summary='<p>Cardiologist<script>alert(1)</script></p>',
                    fields=[{"name": "Hospital", "value": "<b>St Elsewhere</b>"}])
    page = await client.get("/@alice", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["vary"] == "Accept"
    assert "Verified physician · Cardiovascular Disease" in page.text
    assert "Cardiologist" in page.text and "<script>alert" not in page.text
    assert "Hospital" in page.text and "St Elsewhere" in page.text
    assert ('<link rel="alternate" type="application/activity+json" href="https://curbside.test/users/alice">'
            in page.text)
    assert "<h1" in page.text and "Dr Alice" in page.text
    assert (await client.get("/@nobody", headers={"accept": "text/html"})).status_code == 404
    redirect = await client.get("/users/alice", headers={"accept": "text/html"})
    assert redirect.status_code == 302 and redirect.headers["location"].endswith("/@alice")


async def test_profile_of_a_known_remote_account_and_unknown_ones(app, client):
    async with app.state.sessions() as session:
        dana = await factories.remote_actor(session, "dana", "heart.example")
        dana.display_name = "Dana Remote"
        await session.commit()
    page = await client.get("/@dana@heart.example", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Dana Remote" in page.text and "@dana@heart.example" in page.text
    assert "another server" in page.text and 'rel="alternate"' not in page.text
    assert (await client.get("/@erin@heart.example", headers={"accept": "text/html"})).status_code == 404
    assert (await client.get("/@dana@heart.example",
                             headers={"accept": "application/activity+json"})).status_code == 404


async def test_profile_follow_unfollow_and_requested(app, client):
    await member_session(app, client, "alice")
    bob = await _verified(app, "bob")
    carol = await _verified(app, "carol", manually_approves=True)
    followed = await act(client, f"/accounts/{bob.id}/follow", "/@bob")
    assert followed.status_code == 303 and followed.headers["location"] == "/@bob"
    assert ">Unfollow<" in (await client.get("/@bob")).text
    await act(client, f"/accounts/{carol.id}/follow", "/@carol")
    assert "Requested · cancel" in (await client.get("/@carol")).text
    async with app.state.sessions() as session:
        states = {f.followed_id: f.state for f in (await session.execute(select(Follow))).scalars()}
    assert states == {bob.id: "accepted", carol.id: "pending"}
    await act(client, f"/accounts/{bob.id}/unfollow", "/@bob")
    assert ">Follow<" in (await client.get("/@bob")).text
    assert (await act(client, "/accounts/999999/follow", "/@bob")).status_code == 404


async def test_notifications_follow_request_accept_and_reject(app, client):
    await member(app, "alice")
    carol = await _verified(app, "carol", manually_approves=True)
    alice, dave = await actor_of(app, "alice"), await _verified(app, "dave")
    async with app.state.sessions() as session:
        for follower in (alice, dave):
            await social.follow(app.state.runtime, session, await session.get(Actor, follower.id),
                                await session.get(Actor, carol.id))
        await session.commit()
    await log_in(client, "carol")
    page = await client.get("/notifications")
    assert "Follow requests" in page.text and f'action="/accounts/{alice.id}/authorize"' in page.text
    await act(client, f"/accounts/{alice.id}/authorize", "/notifications", next="/notifications")
    await act(client, f"/accounts/{dave.id}/reject", "/notifications", next="/notifications")
    async with app.state.sessions() as session:
        follows = {f.follower_id: f.state for f in (await session.execute(select(Follow))).scalars()}
    assert follows == {alice.id: "accepted"}
    after = await client.get("/notifications")
    assert "followed you" in after.text and "Follow requests" not in after.text


async def test_notifications_list_mentions_and_favourites_and_move_the_marker(app, client):
    await member_session(app, client, "alice")
    alice, bob = await actor_of(app, "alice"), await _verified(app, "bob", display_name="Bob Kline")
    post = await make_post(app, alice, "public", "<p>my case</p>")
    async with app.state.sessions() as session:
        await social.favourite(app.state.runtime, session, await session.get(Actor, bob.id),
                               await session.get(Post, post.id))
        await session.commit()
    page = await client.get("/notifications")
    assert "Bob Kline" in page.text and "favourited your post" in page.text and "my case" in page.text
    async with app.state.sessions() as session:
        assert await session.get(Marker, (alice.id, "notifications")) is not None
    mentions = await client.get("/notifications?filter=mentions")
    assert "favourited your post" not in mentions.text
    assert (await client.get("/notifications?filter=bogus")).status_code == 404


async def test_notifications_hide_muted_senders(app, client):
    await member_session(app, client, "alice")
    alice, bob = await actor_of(app, "alice"), await _verified(app, "bob", display_name="Bob Kline")
    async with app.state.sessions() as session:
        await notify(session, "follow", [alice.id], bob.id)
        await session.commit()
    assert "Bob Kline" in (await client.get("/notifications")).text
    await act(client, f"/accounts/{bob.id}/mute", "/@bob")
    assert "Bob Kline" not in (await client.get("/notifications")).text


async def test_profile_block_and_mute_buttons(app, client):
    await member_session(app, client, "alice")
    bob = await _verified(app, "bob")
    await act(client, f"/accounts/{bob.id}/block", "/@bob")
    await act(client, f"/accounts/{bob.id}/mute", "/@bob")
    page = await client.get("/@bob")
    assert ">Unblock<" in page.text and ">Unmute<" in page.text
    async with app.state.sessions() as session:
        assert (await session.execute(select(Block))).scalars().first().target_id == bob.id
        assert (await session.execute(select(Mute))).scalars().first().target_id == bob.id
    await act(client, f"/accounts/{bob.id}/unblock", "/@bob")
    await act(client, f"/accounts/{bob.id}/unmute", "/@bob")
    page = await client.get("/@bob")
    assert ">Block<" in page.text and ">Mute<" in page.text
    assert (await act(client, f"/accounts/{(await actor_of(app, 'alice')).id}/block", "/@bob")).status_code == 422


async def test_search_finds_accounts_and_hashtags(app, client):
    await member_session(app, client, "alice")
    await _verified(app, "bobcat", display_name="Bob Cat")
    page = await client.get("/search", params={"q": "bob"})
    assert page.status_code == 200 and "Bob Cat" in page.text and 'href="/@bobcat"' in page.text
    assert "<h1>Search</h1>" in (await client.get("/search")).text


@pytest.fixture
async def finger():
    """A remote server answering WebFinger (as application/jrd+json) for its one account, dana."""
    fake = FakeRemote()

    async def handle(request):
        if request.target.startswith("/.well-known/webfinger") and "dana" in request.target:
            host = fake.base.removeprefix("http://")
            jrd = {"subject": f"acct:dana@{host}", "links": [
                {"rel": "self", "type": "application/activity+json", "href": f"{fake.base}/users/dana"}]}
            return json_reply(json.dumps(jrd).encode(), "application/jrd+json")
        return await fake.handle(request)

    async with serve(handle) as server:
        fake.base = server.url("").rstrip("/")
        fake.actor("dana")
        yield fake


async def test_search_resolves_a_remote_account_then_follow_from_its_profile(fed_app, fed_client, finger):
    host = finger.base.removeprefix("http://")
    await member_session(fed_app, fed_client, "alice")
    found = await fed_client.get("/search", params={"q": f"@dana@{host}"})
    assert found.status_code == 200 and f'href="/@dana@{host}"' in found.text
    profile = f"/@dana@{host}"
    async with fed_app.state.sessions() as session:
        stored = (await session.execute(select(Actor).where(Actor.uri == f"{finger.base}/users/dana"))).scalar_one()
    followed = await act(fed_client, f"/accounts/{stored.id}/follow", profile)
    assert followed.status_code == 303 and followed.headers["location"] == profile
    assert "Requested · cancel" in (await fed_client.get(profile)).text
    missing = await fed_client.get("/search", params={"q": f"@nobody@{host}"})
    assert "No account answers" in missing.text


async def test_directory_lists_verified_discoverable_members_by_specialty_under_public_names(app, client):
    await member_session(app, client, "viewer")
    await _verified(app, "alice", display_name="Dr Alice")
    await _verified(app, "hidden", display_name="Dr Hidden", discoverable=False)
    owl = await _verified(app, "owl", display_name="Night Owl")
    await member(app, "plain")  # not verified
    async with app.state.sessions() as session:
        profile = await session.get(MemberProfile, owl.id)
        profile.pseudonymous, profile.real_name = True, "Jane Realname"
        await session.commit()
    page = await client.get("/directory")
    assert page.status_code == 200 and "Cardiovascular Disease" in page.text
    assert "Dr Alice" in page.text and "Night Owl" in page.text
    assert "Dr Hidden" not in page.text and "Jane Realname" not in page.text and "@plain" not in page.text
    filtered = await client.get("/directory", params={"specialty": CARDIOLOGY})
    assert "Dr Alice" in filtered.text
    assert (await client.get("/directory", params={"specialty": "nonsense"})).status_code == 404


async def test_pages_for_members_only_send_visitors_to_login(client):
    for path in ("/home", "/local", "/federated", "/notifications", "/search", "/directory", "/compose"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    token = csrf_of((await client.get("/login")).text)
    refused = await client.post("/statuses/1/favourite", data={"csrf_token": token})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


async def test_search_finds_posts_by_their_words_and_by_address_only_when_visible(app, client):
    await member_session(app, client, "alice")
    alice, bob = await actor_of(app, "alice"), await _verified(app, "bob")
    async with app.state.sessions() as session:
        (await session.get(Actor, bob.id)).indexable = True
        await session.commit()
    await make_post(app, alice, "public", "<p>takotsubo after a marathon</p>")
    await make_post(app, bob, "public", "<p>takotsubo in a young athlete</p>")
    hidden = await make_post(app, bob, "private", "<p>takotsubo, followers only</p>")
    found = await client.get("/search", params={"q": "takotsubo"})
    assert "after a marathon" in found.text and "young athlete" in found.text
    assert "followers only" not in found.text
    by_address = await client.get("/search", params={"q": hidden.uri})
    assert "followers only" not in by_address.text and "No post you may see" in by_address.text
