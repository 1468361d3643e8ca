"""/settings/filters: the member's keyword filters kept from the web (the same ones their apps use), and the
web timelines honouring them: a hidden post is left out, a warned one folded behind "Filtered: <title>"."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from server.db.models import Actor
from server.services.posts.fanout import fan_out, notify
from server.services.reading import filter_storage as filter_settings
from tests.support import factories
from tests.support.web import csrf_of, member_session

EVERYWHERE = ["home", "notifications", "public", "thread", "account"]


async def actor_of(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        return (await session.execute(select(Actor).where(Actor.username == username))).scalar_one()


async def filters_of(app, username: str) -> list[filter_settings.FilterView]:
    actor = await actor_of(app, username)
    async with app.state.sessions() as session:
        return await filter_settings.list_filters(session, actor.id)


async def submit(client, path: str, form_page: str, **data):
    return await client.post(path, data={"csrf_token": csrf_of((await client.get(form_page)).text), **data})


@pytest.fixture
async def alice(app, client):
    await member_session(app, client, "alice")
    return await actor_of(app, "alice")


async def test_web_filters_create_list_edit_and_delete(app, client, alice):
    assert "You have no filters" in (await client.get("/settings/filters")).text
    made = await submit(client, "/settings/filters/new", "/settings/filters/new", title="TV",
                        context=["home", "thread"], filter_action="hide", expires_in="3600",
                        **{"keyword-0": "finale", "whole_word-0": "1", "keyword-1": "series", "keyword-2": ""})
    assert made.status_code == 303 and made.headers["location"].startswith("/settings/filters")
    page = (await client.get("/settings/filters?notice=filter_saved")).text
    assert "The filter is saved" in page and "TV" in page and "finale" in page and "Hides" in page
    [found] = await filters_of(app, "alice")
    assert (found.filter.title, found.filter.context, found.filter.action) == ("TV", ["home", "thread"], "hide")
    assert [(k.keyword, k.whole_word) for k in found.keywords] == [("finale", True), ("series", False)]
    expires = found.filter.expires_at
    assert expires is not None
    edit = f"/settings/filters/{found.filter.id}"
    form = (await client.get(edit)).text
    assert 'value="finale"' in form and "Keep: until" in form
    finale, series = found.keywords
    changed = await submit(client, edit, edit, title="Television", context=["public"], filter_action="warn",
                           expires_in="keep", **{"keyword-0": "", "keyword_id-0": str(finale.id),
                                                 "keyword-1": "season", "keyword_id-1": str(series.id),
                                                 "whole_word-1": "1", "keyword-2": "pilot"})
    assert changed.status_code == 303
    [found] = await filters_of(app, "alice")
    assert (found.filter.title, found.filter.context, found.filter.action) == ("Television", ["public"], "warn")
    assert [(k.id, k.keyword, k.whole_word) for k in found.keywords] == [(series.id, "season", True),
                                                                        (found.keywords[1].id, "pilot", False)]
    assert found.filter.expires_at == expires
    gone = await submit(client, f"{edit}/delete", "/settings/filters")
    assert gone.status_code == 303 and await filters_of(app, "alice") == []
    assert "You have no filters" in (await client.get("/settings/filters")).text


@pytest.mark.parametrize("data, message", [
    ({"title": "x", "keyword-0": "word"}, "Context can&#39;t be blank"),
    ({"title": "x", "context": ["home"], "keyword-0": ""}, "Add at least one keyword"),
    ({"title": "", "context": ["home"], "keyword-0": "word"}, "A filter needs a title."),
])
async def test_web_filters_refuses_incomplete_forms(app, client, alice, data, message):
    refused = await submit(client, "/settings/filters/new", "/settings/filters/new", **data)
    assert refused.status_code == 422 and message in refused.text
    assert 'value="word"' in refused.text or not data.get("keyword-0")  # what was typed is kept
    assert await filters_of(app, "alice") == []


async def test_web_filters_another_members_filter_is_404(app, client, alice):
    bob = await factories_member(app, "bob")
    async with app.state.sessions() as session:
        theirs = await filter_settings.create_filter(session, bob.id, filter_settings.FilterChange(
            title="bob's", context=["home"], keywords=[filter_settings.KeywordChange(keyword="x")]))
        await session.commit()
    assert (await client.get(f"/settings/filters/{theirs.id}")).status_code == 404
    assert (await submit(client, f"/settings/filters/{theirs.id}/delete", "/settings/filters")).status_code == 404
    assert len(await filters_of(app, "bob")) == 1


async def factories_member(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        actor = await factories.member(session, app.state.urls, app.state.settings.domain, username)
        await session.commit()
        return actor


async def bob_posts(app, alice: Actor, texts: dict[str, str], in_reply_to) -> dict[str, int]:
    """bob's public replies to `in_reply_to` mentioning alice (who follows him): in her home and notifications."""
    async with app.state.sessions() as session:
        bob = (await session.execute(select(Actor).where(Actor.username == "bob"))).scalar_one()
        me = await session.get(Actor, alice.id)
        ids = {}
        for name, text in texts.items():
            row = await factories.post(session, app.state.urls, bob, content=f"<p>{text}</p>", mentions=[me],
                                       in_reply_to=in_reply_to)
            await fan_out(session, row, [me.id])
            await notify(session, "mention", [me.id], bob.id, row.id)
            ids[name] = row.id
        await session.commit()
        return ids


async def test_web_filters_timelines_fold_warned_posts_and_leave_out_hidden_ones(app, client, alice):
    async with app.state.sessions() as session:
        bob = await factories.member(session, app.state.urls, app.state.settings.domain, "bob")
        await factories.follow(session, await session.get(Actor, alice.id), bob)
        root = await factories.post(session, app.state.urls, bob, content="<p>root of the thread</p>")
        for title, keyword, action in (("TV talk", "finale", "warn"), ("No spoilers", "spoiler", "hide")):
            await filter_settings.create_filter(session, alice.id, filter_settings.FilterChange(
                title=title, context=EVERYWHERE, action=action,
                keywords=[filter_settings.KeywordChange(keyword=keyword)]))
        await session.commit()
    ids = await bob_posts(app, alice, {"warned": "the finale tonight", "hidden": "a spoiler here",
                                       "plain": "ward round notes"}, in_reply_to=root)
    for page in ("/home", "/local", "/@bob?with_replies=1", f"/statuses/{root.id}", "/notifications"):
        text = html.unescape((await client.get(page)).text)
        assert "ward round notes" in text, page
        assert "a spoiler here" not in text, page
        folded = re.search(r'<details class="filtered"[^>]*><summary>.*?Filtered: TV talk.*?</summary>(.*?)</details>',
                           text, re.S)
        assert folded and "the finale tonight" in folded.group(1), page
    # the post asked for is shown whatever the filters say
    focus = html.unescape((await client.get(f"/statuses/{ids['hidden']}")).text)
    assert "a spoiler here" in focus


async def test_web_filters_settings_link_in_the_settings_menu(client, alice):
    assert 'href="/settings/filters"' in (await client.get("/settings/profile")).text
