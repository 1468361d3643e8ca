"""Who sees what on the web pages: a visitor or a member who does not follow never sees followers-only,
direct or members-only posts — on any page, under any URL."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from server.db.models import Actor, PostTag
from server.services.instance import settings as instance_settings
from server.services.social import blocks_and_mutes as members
from tests.support import factories
from tests.support.members import member
from tests.support.web import log_in, member_session
from tests.test_web_posts import make_post

SECRET = {"private": "followers-only words", "direct": "direct words", "local": "members-only words"}
OPEN = {"public": "public words", "unlisted": "unlisted words"}


@pytest.fixture
async def world(app):
    """alice posts one of each visibility, all tagged #ward; bob follows her; carol is mentioned in the direct
    post. Visitors may read public timelines (to test them too)."""
    for name in ("alice", "bob", "carol"):
        await member(app, name)
    async with app.state.sessions() as session:
        people = {a.username: a for a in (await session.execute(select(Actor).where(Actor.local.is_(True)))).scalars()}
        await factories.follow(session, people["bob"], people["alice"])
        await instance_settings.set_value(session, "public_timelines", True)
        await session.commit()
    posts = {}
    for visibility, words in {**OPEN, **SECRET}.items():
        mentions = [people["carol"]] if visibility == "direct" else []
        posts[visibility] = await make_post(app, people["alice"], visibility, f"<p>{words} #ward</p>",
                                            mentions=mentions)
    async with app.state.sessions() as session:
        session.add_all(PostTag(post_id=p.id, tag="ward") for p in posts.values())
        await session.commit()
    return {"people": people, "posts": posts}


def pages(world) -> list[str]:
    posts = world["posts"]
    urls = ["/@alice", "/@alice?with_replies=1", "/tags/ward", "/public", "/public?scope=all"]
    for post in posts.values():
        urls += [f"/statuses/{post.id}", f"/@alice/{post.id}"]
    return urls


async def _texts(client: httpx.AsyncClient, urls: list[str]) -> dict[str, str]:
    seen = {}
    for url in urls:
        response = await client.get(url, headers={"accept": "text/html"}, follow_redirects=True)
        seen[url] = response.text
    return seen


def _leaks(seen: dict[str, str], hidden: dict[str, str]) -> list[tuple[str, str]]:
    return [(url, words) for url, text in seen.items() for words in hidden.values() if words in text]


async def test_privacy_visitor_sees_no_restricted_post_anywhere(app, client, world):
    seen = await _texts(client, pages(world))
    assert _leaks(seen, SECRET) == []
    assert OPEN["public"] in seen["/@alice"] and OPEN["public"] in seen["/public"]
    for visibility in SECRET:
        post = world["posts"][visibility]
        assert (await client.get(f"/statuses/{post.id}")).status_code == 404
        assert (await client.get(f"/@alice/{post.id}", headers={"accept": "text/html"})).status_code == 404
        assert (await client.get(post.uri, headers={"accept": "text/html"})).status_code == 404


async def test_privacy_member_who_does_not_follow_sees_members_only_but_not_followers_or_direct(app, client, world):
    await member_session(app, client, "dave2")
    seen = await _texts(client, pages(world) + ["/local", "/federated", "/home", "/notifications"])
    hidden = {k: SECRET[k] for k in ("private", "direct")}
    assert _leaks(seen, hidden) == []
    assert SECRET["local"] in seen["/local"] and SECRET["local"] in seen["/@alice"]
    post = world["posts"]["private"]
    assert (await client.get(f"/statuses/{post.id}")).status_code == 404
    search = await client.get("/search", params={"q": post.uri})
    assert SECRET["private"] not in search.text


async def test_privacy_follower_and_mentioned_see_what_is_theirs(app, client, world):
    posts = world["posts"]
    assert (await log_in(client, "bob")).status_code == 303  # follows alice: not mentioned
    seen = await _texts(client, pages(world) + ["/home"])
    assert SECRET["private"] in seen["/@alice"] and SECRET["private"] in seen["/home"]
    assert SECRET["private"] in seen[f"/statuses/{posts['private'].id}"]
    assert _leaks(seen, {"direct": SECRET["direct"]}) == []
    client.cookies.clear()
    assert (await log_in(client, "carol")).status_code == 303  # mentioned: does not follow
    seen = await _texts(client, pages(world) + ["/home", "/notifications"])
    assert SECRET["direct"] in seen[f"/statuses/{posts['direct'].id}"] and SECRET["direct"] in seen["/home"]
    assert _leaks(seen, {"private": SECRET["private"]}) == []


async def test_privacy_public_timeline_shows_only_public_posts_to_visitors(app, client, world):
    everything = (await client.get("/public?scope=all")).text
    assert OPEN["public"] in everything
    assert OPEN["unlisted"] not in everything  # unlisted stays off timelines
    assert _leaks({"/public": everything}, SECRET) == []


async def test_privacy_profile_of_a_blocking_member_shows_no_posts(app, client, world):
    await member_session(app, client, "frank")
    async with app.state.sessions() as session:
        alice = await session.get(Actor, world["people"]["alice"].id)
        frank = (await session.execute(select(Actor).where(Actor.username == "frank"))).scalar_one()
        await members.block(app.state.runtime, session, alice, frank)
        await session.commit()
    page = await client.get("/@alice")
    assert page.status_code == 200 and OPEN["public"] not in page.text and SECRET["local"] not in page.text
    assert (await client.get(f"/statuses/{world['posts']['public'].id}")).status_code == 404
