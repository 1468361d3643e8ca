"""The home timeline served from the entity caches: the same entities as rendering each post afresh,
changes made by another process seen at once, nothing of one viewer shown to another, filters applied
to cached posts."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.actor_to_mastodon import AccountCounts, actor_to_mastodon
from server.convert.post_to_mastodon import ViewerState, poll_to_mastodon, status_shared
from server.db.engine import make_engine
from server.db.inline import InlineSession, read_rows
from server.db.models import (
    AccountModeration,
    Actor,
    Block,
    Bookmark,
    HomeTimelineEntry,
    Like,
    Mute,
    Pin,
    PollVote,
    Post,
    UserDomainBlock,
)
from server.db.types import utcnow
from server.services.moderation.hidden_from_viewers import visible_posts
from server.services.reading.page_views import render_statuses
from server.services.reading.status_json import ACTOR_FIELDS, POST_FIELDS, home_statement
from tests.support.factories import member, post, remote_actor
from tests.support.members import member as member_with_token

POLL = {"options": [{"title": "yes", "votes_count": 3}, {"title": "no", "votes_count": 1}], "multiple": False,
        "voters_count": 4, "expires_at": "2999-01-01T00:00:00Z", "closed": False}
IMAGE = {"type": "Document", "media_type": "image/png", "url": "https://remote.example/a.png", "width": 4,
         "height": 3, "description": "an x-ray"}


async def reader(app, username: str) -> tuple[int, dict]:
    who = await member_with_token(app, username, scopes="read write")
    return who.id, who.headers


async def world(app, viewer: int) -> dict:
    """Posts of every shape in `viewer`'s home timeline: replies, boosts, mentions, a poll, media, their own."""
    urls = app.state.urls
    async with app.state.sessions() as s:
        me = await s.get(Actor, viewer)
        ann = await member(s, urls, app.state.settings.domain, "ann", display_name="Dr Ann")
        rem, other = await remote_actor(s, "rem"), await remote_actor(s, "oth", host="other.example")
        posts = {"root": await post(s, urls, ann, content="<p>root</p>")}
        posts["reply"] = await post(s, urls, ann, content="<p>reply</p>", in_reply_to=posts["root"], mentions=[me])
        posts["poll"] = await post(s, urls, ann, content="<p>poll</p>", poll=dict(POLL))
        posts["media"] = await post(s, urls, ann, content="<p>x</p>", attachments=[IMAGE], sensitive=True,
                                    summary="cw", edited_at=utcnow())
        posts["remote"] = await post(s, urls, rem, content="<p>remote</p>", likes_count=5, boosts_count=2)
        posts["other"] = await post(s, urls, other, content="<p>other</p>")
        posts["boost"] = await post(s, urls, rem, content="", boost_of=posts["root"])
        posts["mine"] = await post(s, urls, me, content="<p>mine</p>")
        posts["my_boost"] = await post(s, urls, me, content="", boost_of=posts["remote"])
        s.add_all(HomeTimelineEntry(owner_id=viewer, post_id=p.id) for p in posts.values())
        ids = {name: p.id for name, p in posts.items()}
        await s.commit()
    return {"ids": ids, "ann": ann.id, "rem": rem.id, "other": other.id}


async def afresh(app, viewer: int) -> list[dict]:
    """The page as rendered without any cache: each post converted anew (views.render_statuses)."""
    async with app.state.sessions() as s:
        posts = list((await s.execute(select(Post).join(HomeTimelineEntry, HomeTimelineEntry.post_id == Post.id)
                                      .where(HomeTimelineEntry.owner_id == viewer)
                                      .order_by(HomeTimelineEntry.post_id.desc()).limit(20))).scalars())
        shown = await visible_posts(s, posts, viewer)
        return await render_statuses(s, shown, viewer, app.state.urls, app.state.settings.domain)


async def home(client, headers, query: str = "") -> list[dict]:
    response = await client.get(f"/api/v1/timelines/home{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_status_pages_home_matches_rendering_each_post_afresh(app, client):
    viewer, headers = await reader(app, "reader")
    w = await world(app, viewer)
    async with app.state.sessions() as s:
        s.add_all([Like(actor_id=viewer, post_id=w["ids"]["remote"], uri="https://x/likes/1"),
                   Bookmark(actor_id=viewer, post_id=w["ids"]["media"]), Pin(actor_id=viewer, post_id=w["ids"]["mine"]),
                   PollVote(post_id=w["ids"]["poll"], actor_id=viewer, choice=1)])
        await s.commit()
    expected = await afresh(app, viewer)
    assert await home(client, headers) == expected  # made
    assert await home(client, headers) == expected  # from the caches
    by_id = {s["id"]: s for s in expected}
    assert by_id[str(w["ids"]["my_boost"])]["reblog"]["favourited"] is True
    assert by_id[str(w["ids"]["poll"])]["poll"]["own_votes"] == [1]
    assert by_id[str(w["ids"]["mine"])]["pinned"] is True


async def test_status_pages_home_pages_and_links_as_before(app, client):
    viewer, headers = await reader(app, "reader")
    ids = sorted((await world(app, viewer))["ids"].values(), reverse=True)
    first = await client.get("/api/v1/timelines/home?limit=3", headers=headers)
    assert [int(s["id"]) for s in first.json()] == ids[:3]
    assert f"max_id={ids[2]}" in first.headers["link"] and f"min_id={ids[0]}" in first.headers["link"]
    assert [int(s["id"]) for s in await home(client, headers, f"?limit=3&max_id={ids[2]}")] == ids[3:6]
    assert [int(s["id"]) for s in await home(client, headers, f"?limit=2&min_id={ids[4]}")] == ids[2:4]
    assert [int(s["id"]) for s in await home(client, headers, f"?since_id={ids[2]}")] == ids[:2]
    assert await home(client, headers, f"?max_id={ids[-1]}") == []


async def test_status_pages_changes_by_another_process_are_seen_at_once(app, client, database_url):
    viewer, headers = await reader(app, "reader")
    w = await world(app, viewer)
    await home(client, headers)
    other_process = make_engine(database_url)  # writes this process's caches never hear of
    try:
        async with AsyncSession(other_process) as s:
            await s.execute(update(Post).where(Post.id == w["ids"]["remote"]).values(
                likes_count=6, content_html="<p>edited</p>", edited_at=utcnow()))
            await s.execute(update(Actor).where(Actor.id == w["ann"]).values(display_name="Prof Ann"))
            await s.execute(delete(Post).where(Post.id == w["ids"]["other"]))
            await s.commit()
    finally:
        await other_process.dispose()
    page = await home(client, headers)
    assert page == await afresh(app, viewer)
    remote = next(s for s in page if s["id"] == str(w["ids"]["remote"]))
    assert (remote["favourites_count"], remote["content"]) == (6, "<p>edited</p>")
    assert {s["account"]["display_name"] for s in page if s["account"]["id"] == str(w["ann"])} == {"Prof Ann"}
    assert str(w["ids"]["other"]) not in {s["id"] for s in page}


async def test_status_pages_one_viewers_state_never_reaches_another(app, client):
    viewer, headers = await reader(app, "reader")
    w = await world(app, viewer)
    second, second_headers = await reader(app, "second")
    async with app.state.sessions() as s:
        s.add_all(HomeTimelineEntry(owner_id=second, post_id=i) for n, i in w["ids"].items() if n != "mine")
        s.add_all([Like(actor_id=viewer, post_id=w["ids"]["root"], uri="https://x/likes/2"),
                   Bookmark(actor_id=viewer, post_id=w["ids"]["root"]),
                   PollVote(post_id=w["ids"]["poll"], actor_id=viewer, choice=0)])
        await s.commit()
    mine = {s["id"]: s for s in await home(client, headers)}
    theirs = {s["id"]: s for s in await home(client, second_headers)}
    root, poll = str(w["ids"]["root"]), str(w["ids"]["poll"])
    assert (mine[root]["favourited"], mine[root]["bookmarked"], mine[poll]["poll"]["voted"]) == (True, True, True)
    assert (theirs[root]["favourited"], theirs[root]["bookmarked"]) == (False, False)
    assert theirs[poll]["poll"]["voted"] is False and theirs[poll]["poll"]["own_votes"] == []
    assert theirs[str(w["ids"]["my_boost"])]["reblogged"] is False  # reader's boost, second's page
    assert mine[str(w["ids"]["my_boost"])]["reblogged"] is False and mine[str(w["ids"]["remote"])]["reblogged"]
    assert list(theirs.values()) == await afresh(app, second)


async def test_status_pages_filters_hide_cached_posts_at_once(app, client):
    viewer, headers = await reader(app, "reader")
    w = await world(app, viewer)
    ids = {str(i): name for name, i in w["ids"].items()}

    async def names() -> set[str]:
        return {ids[s["id"]] for s in await home(client, headers)}

    everything = await names()
    async with app.state.sessions() as s:
        s.add(Mute(actor_id=viewer, target_id=w["ann"], expires_at=utcnow() + timedelta(days=1)))
        await s.commit()
    assert await names() == everything - {"root", "reply", "poll", "media", "boost"}  # a boost of ann's post too
    async with app.state.sessions() as s:
        await s.execute(delete(Mute))
        s.add(Block(actor_id=w["rem"], target_id=viewer, uri="https://remote.example/blocks/1"))  # they block us
        await s.commit()
    assert await names() == everything - {"remote", "boost", "my_boost"}
    async with app.state.sessions() as s:
        await s.execute(delete(Block))
        s.add(UserDomainBlock(actor_id=viewer, domain="other.example"))
        s.add(AccountModeration(actor_id=w["ann"], suspended_at=utcnow()))
        await s.commit()
    assert await names() == everything - {"other", "root", "reply", "poll", "media", "boost"}
    assert await names() == {ids[s["id"]] for s in await afresh(app, viewer)}


async def test_status_pages_inline_rows_bind_as_sqlalchemy_does(app):
    viewer, _ = await reader(app, "reader")
    await world(app, viewer)
    runtime = app.state.runtime
    statement = home_statement(runtime.engine.dialect.name).order_by(HomeTimelineEntry.post_id).limit(5)
    async with runtime.sessions() as s:
        expected = [tuple(r) for r in await read_rows(s, statement, {"viewer": viewer})]
    async with runtime.reads() as s:
        assert [tuple(r) for r in await read_rows(s, statement, {"viewer": viewer})] == expected
        assert isinstance(s, InlineSession) == app.state.settings.is_sqlite
    assert len(expected) == 5


async def test_status_pages_inline_rows_refuse_a_missing_parameter(app):
    if not app.state.settings.is_sqlite:
        pytest.skip("PostgreSQL runs these statements through SQLAlchemy, which checks its parameters itself")
    async with app.state.runtime.reads() as s:
        with pytest.raises(ValueError, match="viewer"):
            await read_rows(s, home_statement(s.bind.dialect.name), {})


class Reads:
    """Records which attributes a converter reads of a row."""

    def __init__(self, row):
        self.row, self.names = row, set()

    def __getattr__(self, name):
        self.names.add(name)
        return getattr(self.row, name)


async def test_status_pages_fingerprints_cover_every_column_the_entities_show(app):
    viewer, _ = await reader(app, "reader")
    w = await world(app, viewer)
    async with app.state.sessions() as s:
        actor, shown = Reads(await s.get(Actor, w["ann"])), Reads(await s.get(Post, w["ids"]["reply"]))
    actor_to_mastodon(actor, AccountCounts(), base_url=app.state.urls.base, local_domain="curbside.test")
    status_shared(shown, mentions=[], in_reply_to_account_id=None, tag_url=app.state.urls.tag)
    poll_to_mastodon(shown, ViewerState())
    assert actor.names <= set(ACTOR_FIELDS) | {"id", "domain", "local"}  # those three never change
    assert shown.names <= set(POST_FIELDS)
