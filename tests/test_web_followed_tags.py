"""Followed hashtags on the web: the Follow / Unfollow button of /tags/{tag}, the list at /settings/tags,
and what following does to the member's home page."""
from sqlalchemy import select

from server.db.models import TagFollow
from server.services.accounts.members import find_local_actor
from tests.support.members import ALL_SCOPES, bearer, member
from tests.support.web import csrf_of, member_session


async def _followed(app, username: str) -> list[str]:
    async with app.state.sessions() as session:
        me = await find_local_actor(session, app.state.settings.domain, username)
        return sorted((await session.execute(select(TagFollow.tag).where(TagFollow.actor_id == me.id))).scalars())


async def test_web_tag_page_follow_and_unfollow_buttons(app, client):
    await member_session(app, client, "ada")
    page = await client.get("/tags/Echo")
    assert page.status_code == 200 and 'action="/tags/echo/follow"' in page.text and "Follow #echo" in page.text
    done = await client.post("/tags/echo/follow", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/tags/echo?notice=tag_followed"
    assert await _followed(app, "ada") == ["echo"]
    page = await client.get(done.headers["location"])
    assert 'action="/tags/echo/unfollow"' in page.text and "Unfollow #echo" in page.text
    assert "You follow this hashtag" in page.text
    done = await client.post("/tags/echo/unfollow", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and await _followed(app, "ada") == []


async def test_web_tag_follow_refuses_a_missing_csrf_token_and_visitors(app, client):
    visitor = await client.post("/tags/echo/follow", data={})
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    page = await client.get("/settings/tags")
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    await member_session(app, client, "ada")
    assert (await client.post("/tags/echo/follow", data={})).status_code == 403
    assert await _followed(app, "ada") == []


async def test_web_tag_follow_refuses_names_that_are_no_hashtag(app, client):
    await member_session(app, client, "ada")
    page = await client.get("/tags/1234")  # a page may exist; no button for a name that is no hashtag
    assert "/tags/1234/follow" not in page.text
    refused = await client.post("/tags/1234/follow", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and await _followed(app, "ada") == []


async def test_web_settings_tags_lists_and_unfollows(app, client):
    await member_session(app, client, "ada")
    token = csrf_of((await client.get("/settings/tags")).text)
    for tag in ("ecg", "cardiology"):
        await client.post(f"/tags/{tag}/follow", data={"csrf_token": token})
    page = await client.get("/settings/tags")
    assert page.status_code == 200 and "<h1>Followed hashtags</h1>" in page.text
    assert page.text.index("#cardiology") < page.text.index("#ecg")
    assert 'href="/settings/tags" aria-current="page"' in page.text
    done = await client.post("/tags/ecg/unfollow", data={"csrf_token": token, "next": "/settings/tags"})
    assert done.headers["location"] == "/settings/tags?notice=tag_unfollowed"
    page = await client.get(done.headers["location"])
    assert "#ecg" not in page.text and "#cardiology" in page.text and "no longer follow" in page.text
    hostile = await client.post("/tags/cardiology/unfollow", data={"csrf_token": token, "next": "//evil.example"})
    assert hostile.headers["location"] == "/tags/cardiology?notice=tag_unfollowed"


async def test_web_followed_tag_posts_show_on_home(app, client):
    author = (await member(app, "bob", scopes=ALL_SCOPES)).token
    await member_session(app, client, "ada")
    await client.post("/tags/echo/follow", data={"csrf_token": csrf_of((await client.get("/tags/echo")).text)})
    for text in ("A fine #echo loop", "Only for followers #echo"):
        response = await client.post("/api/v1/statuses", headers=bearer(author), json={
            "status": text, "visibility": "public" if "fine" in text else "private"})
        assert response.status_code == 200
    home = await client.get("/home")
    assert "A fine" in home.text and "Only for followers" not in home.text
