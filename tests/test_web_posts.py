"""The web UI's posts: timelines, compose (with the patient-privacy guard), threads, actions on posts."""
from __future__ import annotations

import re

from sqlalchemy import select

from server.db.models import Actor, Bookmark, Like, MediaAttachment, Post
from server.services.timelines import fan_out
from tests.support import factories
from tests.support.images import camera_jpeg
from tests.support.web import csrf_of, member_session

PHI_TEXT = "Pt John Smith, MRN 4482913, seen 03/14/2024 in room 412"


async def _actor(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        return (await session.execute(select(Actor).where(Actor.username == username, Actor.local.is_(True)))
                ).scalar_one()


async def _post(app, author: Actor, visibility: str = "public", content: str = "<p>Hello</p>", **fields) -> Post:
    async with app.state.sessions() as session:
        author = await session.get(Actor, author.id)
        row = await factories.post(session, app.state.urls, author, visibility, content=content, **fields)
        await fan_out(session, row, [m.id for m in fields.get("mentions", [])])
        await session.commit()
        return row


async def _compose(client, data: dict, files: dict | None = None):
    token = csrf_of((await client.get("/compose")).text)
    return await client.post("/compose", data={"csrf_token": token, **data}, files=files)


async def _posts_of(app, username: str) -> list[Post]:
    actor = await _actor(app, username)
    async with app.state.sessions() as session:
        return list((await session.execute(select(Post).where(Post.author_id == actor.id).order_by(Post.id))).scalars())


async def test_compose_posts_and_shows_it_on_home(app, client):
    await member_session(app, client, "alice")
    done = await _compose(client, {"status": "Grand rounds at noon #cardiology", "visibility": "local",
                                   "spoiler_text": "Schedule"})
    assert done.status_code == 303
    [post] = await _posts_of(app, "alice")
    assert post.visibility == "local" and post.summary == "Schedule"
    assert done.headers["location"] == f"/statuses/{post.id}"
    home = await client.get("/home")
    assert home.status_code == 200 and "Grand rounds at noon" in home.text
    assert "<details class=\"cw\">" in home.text and "Members only" in home.text
    assert 'href="/tags/cardiology"' in home.text or "/tags/cardiology" in home.text
