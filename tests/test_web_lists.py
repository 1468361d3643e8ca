"""Lists on the web: /lists (make, see) and /lists/{id} (the list's timeline, members added by handle of
someone the member follows and removed, settings, deletion); another member's list is not found."""
from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from server.db.models import Actor, List, ListAccount
from server.services.posts.fanout import fan_out
from tests.support import factories
from tests.support.web import csrf_of, member_session

LIST_URL = re.compile(r"/lists/(\d+)\?notice=created$")


async def actor_of(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        return (await session.execute(select(Actor).where(Actor.username == username, Actor.local.is_(True)))
                ).scalar_one()


async def colleagues(app, *names: str, followed_by: Actor) -> dict[str, Actor]:
    """Members named `names`, followed by `followed_by` (and `dave`, whom nobody follows)."""
    async with app.state.sessions() as session:
        urls, domain = app.state.urls, app.state.settings.domain
        made = {name: await factories.member(session, urls, domain, name) for name in (*names, "dave")}
        for name in names:
            await factories.follow(session, await session.get(Actor, followed_by.id), made[name])
        await session.commit()
        return made


async def write(app, author: Actor, text: str, **fields) -> int:
    async with app.state.sessions() as session:
        row = await factories.post(session, app.state.urls, await session.get(Actor, author.id),
                                   content=f"<p>{text}</p>", **fields)
        await fan_out(session, row)
        await session.commit()
        return row.id


async def submit(client: httpx.AsyncClient, page: str, path: str, **data) -> httpx.Response:
    return await client.post(path, data={"csrf_token": csrf_of((await client.get(page)).text), **data})


async def make_list(client: httpx.AsyncClient, title: str = "Cardiology colleagues", **data) -> str:
    made = await submit(client, "/lists", "/lists", title=title, replies_policy="list", **data)
    assert made.status_code == 303, made.text
    return LIST_URL.search(made.headers["location"]).group(1)


async def test_web_lists_make_add_members_and_read_the_timeline(app, client):
    await member_session(app, client, "alice")
    alice = await actor_of(app, "alice")
    people = await colleagues(app, "bob", "carol", followed_by=alice)
    assert "You have no lists yet" in (await client.get("/lists")).text
    list_id = await make_list(client)
    page = f"/lists/{list_id}"
    shown = await client.get(page)
    assert shown.status_code == 200 and "<h1>Cardiology colleagues</h1>" in shown.text
    assert "no members yet" in shown.text
    added = await submit(client, page, f"{page}/members/add", handle="@bob")
    assert added.status_code == 303 and added.headers["location"] == f"{page}?notice=added"
    stranger = await submit(client, page, f"{page}/members/add", handle="dave")
    assert stranger.status_code == 422 and "You can add only accounts you follow." in stranger.text
    unknown = await submit(client, page, f"{page}/members/add", handle="nobody@elsewhere.example")
    assert unknown.status_code == 422 and "is known here" in unknown.text
    await write(app, people["bob"], "Echo findings from bob")
    await write(app, people["carol"], "Carol is not on the list")
    await write(app, people["bob"], "Bob, followers only", visibility="private")
    timeline = (await client.get(page)).text
    assert "Echo findings from bob" in timeline and "Bob, followers only" in timeline
    assert "Carol is not on the list" not in timeline and "@bob" in timeline
    index = (await client.get("/lists")).text
    assert f'href="/lists/{list_id}"' in index and "1 member" in index
    removed = await submit(client, page, f"{page}/members/remove", account_id=str(people["bob"].id))
    assert removed.status_code == 303
    assert "Echo findings from bob" not in (await client.get(page)).text


async def test_web_lists_page_older_posts(app, client):
    await member_session(app, client, "alice")
    alice = await actor_of(app, "alice")
    bob = (await colleagues(app, "bob", followed_by=alice))["bob"]
    list_id = await make_list(client)
    await submit(client, f"/lists/{list_id}", f"/lists/{list_id}/members/add", handle="bob")
    for i in range(22):
        await write(app, bob, f"Case number {i:02d}")
    first = (await client.get(f"/lists/{list_id}")).text
    assert "Case number 21" in first and "Case number 01" not in first
    older = re.search(r'href="(/lists/\d+\?max_id=\d+)" rel="next"', first).group(1)
    rest = (await client.get(older)).text
    assert "Case number 01" in rest and "Case number 00" in rest and "Case number 21" not in rest


async def test_web_lists_settings_exclusive_and_delete(app, client):
    await member_session(app, client, "alice")
    alice = await actor_of(app, "alice")
    bob = (await colleagues(app, "bob", followed_by=alice))["bob"]
    list_id = await make_list(client)
    page = f"/lists/{list_id}"
    await submit(client, page, f"{page}/members/add", handle="bob")
    await write(app, bob, "Morning report")
    assert "Morning report" in (await client.get("/home")).text
    saved = await submit(client, page, f"{page}/edit", title="EP lab", replies_policy="none", exclusive="on")
    assert saved.status_code == 303
    async with app.state.sessions() as session:
        row = await session.get(List, int(list_id))
        assert (row.title, row.replies_policy, row.exclusive) == ("EP lab", "none", True)
    assert "Morning report" not in (await client.get("/home")).text  # exclusive: only on the list
    assert "Morning report" in (await client.get(page)).text
    blank = await submit(client, page, f"{page}/edit", title=" ", replies_policy="list")
    assert blank.status_code == 422 and "A list needs a title." in blank.text
    refused = await submit(client, "/lists", "/lists", title="", replies_policy="list")
    assert refused.status_code == 422 and "A list needs a title." in refused.text
    gone = await submit(client, page, f"{page}/delete")
    assert gone.status_code == 303 and gone.headers["location"] == "/lists?notice=deleted"
    assert (await client.get(page)).status_code == 404
    assert "Morning report" in (await client.get("/home")).text
    async with app.state.sessions() as session:
        assert (await session.execute(select(ListAccount))).first() is None


async def test_web_lists_another_members_list_is_not_found(app, client):
    await member_session(app, client, "alice")
    alice = await actor_of(app, "alice")
    bob = (await colleagues(app, "bob", followed_by=alice))["bob"]
    list_id = await make_list(client, "Private group")
    await submit(client, f"/lists/{list_id}", f"/lists/{list_id}/members/add", handle="bob")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url) as other:
        await member_session(app, other, "mallory")
        page = f"/lists/{list_id}"
        assert (await other.get(page)).status_code == 404
        token = csrf_of((await other.get("/lists")).text)
        for action, data in (("edit", {"title": "mine"}), ("delete", {}),
                             ("members/remove", {"account_id": str(bob.id)})):
            response = await other.post(f"{page}/{action}", data={"csrf_token": token, **data})
            assert response.status_code == 404, action
        assert "Private group" not in (await other.get("/lists")).text
    async with app.state.sessions() as session:
        assert (await session.get(List, int(list_id))).title == "Private group"
        assert (await session.execute(select(ListAccount.actor_id))).scalars().all() == [bob.id]


async def test_web_lists_in_the_navigation(app, client):
    await member_session(app, client, "alice")
    home = (await client.get("/home")).text
    assert 'href="/lists"' in home
    assert 'aria-current="page"' in (await client.get("/lists")).text.split('href="/lists"')[1][:30]
