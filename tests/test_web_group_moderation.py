"""A group's moderation in the web UI: its moderators see the controls and others do not (and are refused if they
post the forms anyway); remove, lock, pin and ban through the same service as the API, with the marks read from
the real thread state and cases; a thread started from the web is a titled Page (its AS2 `name`)."""
from __future__ import annotations

import re
from urllib.parse import urlparse

from sqlalchemy import select

from server.db.models import Actor, AuditEntry, Case, GroupPost, Post
from server.services.groups import registry, states
from tests.support.apps import client_of
from tests.support.web import member_session
from tests.test_web_groups import AP, make_group, post_form, start_thread, thread_titles

CONTROLS = "/moderation/"


async def moderated_group(app, client, name: str = "heart"):
    """A group with `mod` as its moderator (logged in on `client`) and `bob` a member (on the returned client)."""
    await make_group(app, name)
    await member_session(app, client, "mod")
    async with app.state.sessions() as session:
        group = await registry.group_named(session, app.state.settings.domain, name)
        await registry.add_moderator(session, app.state.settings.domain, group, "mod", by="test")
        await session.commit()
    bob = client_of(app)
    await bob.__aenter__()
    await member_session(app, bob, "bob")
    return bob


async def thread_of(client, group: str, title: str, text: str = "A question") -> str:
    answer = await start_thread(client, group, title, text)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def reply_in(client, thread: str, text: str, to: str | None = None) -> object:
    return await post_form(client, thread, thread + "/reply", status=text, in_reply_to_id=to or thread.rsplit("/")[-1])


async def moderate(client, page: str, action: str, group: str = "heart", **fields) -> object:
    return await post_form(client, page, f"/groups/{group}/moderation/{action}", **fields)


async def test_web_group_moderation_controls_for_moderators_only(app, client):
    bob = await moderated_group(app, client)
    try:
        thread = await thread_of(bob, "heart", "Loop diuretics")
        first = thread.rsplit("/")[-1]
        for page in ("/groups/heart", thread):
            assert CONTROLS in (await client.get(page)).text, page
            assert CONTROLS not in (await bob.get(page)).text, page
        assert "Nobody is banned from this group." in (await client.get("/groups/heart")).text
        for action in ("remove", "lock", "pin", "ban"):
            refused = await moderate(bob, thread, action, post_id=first)
            assert refused.status_code == 403 and "only the group&#39;s moderators and admins" in refused.text
        assert (await moderate(client, thread, "lock", post_id="abc")).status_code == 422
        assert (await moderate(client, thread, "explode", post_id=first)).status_code == 404
        assert (await moderate(client, thread, "lock", post_id="12345")).status_code == 404
        assert (await client.post("/groups/heart/moderation/lock", data={"post_id": first})).status_code == 403
        async with app.state.sessions() as session:
            assert await states.state_of(session, int(first)) is None  # nothing of it was applied
    finally:
        await bob.__aexit__(None, None, None)


async def test_web_group_moderation_remove_a_reply_then_the_thread(app, client):
    bob = await moderated_group(app, client)
    try:
        thread = await thread_of(bob, "heart", "Torsemide or furosemide")
        assert (await reply_in(bob, thread, "Torsemide, for its bioavailability")).status_code == 303
        async with app.state.sessions() as session:
            reply_id = (await session.execute(select(Post.id).where(Post.source.contains("bioavailability")))).scalar()
        removed = await moderate(client, thread, "remove", post_id=str(reply_id), reason="off topic", back="thread")
        assert removed.status_code == 303 and removed.headers["location"] == thread + "?notice=group_removed"
        page = await client.get(removed.headers["location"])
        assert "Removed from the group." in page.text and "bioavailability" not in page.text
        gone = await moderate(client, thread, "remove", post_id=thread.rsplit("/")[-1], back="thread")
        assert gone.headers["location"] == "/groups/heart?notice=group_removed"  # its page is gone with it
        assert thread_titles((await client.get("/groups/heart")).text) == []
        async with app.state.sessions() as session:
            assert (await session.execute(select(GroupPost))).scalars().all() == []
            logged = (await session.execute(select(AuditEntry.action, AuditEntry.reason)
                                            .where(AuditEntry.action == "group_post_removed"))).all()
        assert ("group_post_removed", "off topic") in logged and len(logged) == 2
    finally:
        await bob.__aexit__(None, None, None)


async def test_web_group_moderation_lock_hides_the_reply_form_and_refuses_replies(app, client):
    bob = await moderated_group(app, client)
    try:
        thread = await thread_of(bob, "heart", "Ivabradine")
        first = thread.rsplit("/")[-1]
        locked = await moderate(client, thread, "lock", post_id=first, reason="answered", back="thread")
        assert locked.headers["location"] == thread + "?notice=group_locked"
        page = (await bob.get(thread)).text
        assert "This thread is locked" in page and 'id="reply-title"' not in page and "badge-locked" in page
        assert "badge-locked" in (await bob.get("/groups/heart")).text
        refused = await post_form(bob, "/groups/heart", thread + "/reply", status="But...", in_reply_to_id=first)
        assert refused.status_code == 403 and "the thread is locked" in refused.text
        async with app.state.sessions() as session:
            assert (await session.execute(select(Post.id).where(Post.source == "But..."))).first() is None
        await moderate(client, thread, "unlock", post_id=first, back="thread")
        assert 'id="reply-title"' in (await bob.get(thread)).text
        assert (await reply_in(bob, thread, "Now I may")).status_code == 303
    finally:
        await bob.__aexit__(None, None, None)


async def test_web_group_moderation_pin_puts_a_thread_on_top(app, client):
    bob = await moderated_group(app, client)
    try:
        older = await thread_of(bob, "heart", "Rules of the group")
        await thread_of(bob, "heart", "Newer question")
        assert thread_titles((await bob.get("/groups/heart")).text) == ["Newer question", "Rules of the group"]
        pinned = await moderate(client, "/groups/heart", "pin", post_id=older.rsplit("/")[-1])
        assert pinned.headers["location"] == "/groups/heart?notice=group_pinned"
        page = (await bob.get("/groups/heart")).text
        assert thread_titles(page) == ["Rules of the group", "Newer question"] and "badge-pinned" in page
        assert "badge-pinned" in (await bob.get(older)).text
        await moderate(client, "/groups/heart", "unpin", post_id=older.rsplit("/")[-1])
        assert thread_titles((await bob.get("/groups/heart")).text) == ["Newer question", "Rules of the group"]
    finally:
        await bob.__aexit__(None, None, None)


async def test_web_group_moderation_ban_refuses_the_author_and_unban_lifts_it(app, client):
    bob = await moderated_group(app, client)
    try:
        thread = await thread_of(bob, "heart", "Spam thread")
        banned = await moderate(client, thread, "ban", post_id=thread.rsplit("/")[-1], reason="spam", back="thread")
        assert banned.status_code == 303
        page = (await client.get("/groups/heart")).text
        assert "@bob" in page and "spam" in page and "Lift the ban of bob" in page
        refused = await start_thread(bob, "heart", "Again", "more spam")
        assert refused.status_code == 403 and "banned" in refused.text
        again = await moderate(client, thread, "ban", post_id=thread.rsplit("/")[-1])
        assert again.status_code == 409 and "banned already" in again.text
        async with app.state.sessions() as session:
            bob_id = (await session.execute(select(Actor.id).where(Actor.username == "bob"))).scalar_one()
        lifted = await moderate(client, "/groups/heart", "unban", account_id=str(bob_id))
        assert lifted.headers["location"] == "/groups/heart?notice=group_unbanned"
        assert "Nobody is banned from this group." in (await client.get(lifted.headers["location"])).text
        assert (await moderate(client, "/groups/heart", "unban", account_id=str(bob_id))).status_code == 404
        assert (await start_thread(bob, "heart", "Sorry", "I will behave")).status_code == 303
    finally:
        await bob.__aexit__(None, None, None)


async def test_web_group_marks_come_from_the_thread_state_and_the_case(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    thread = await thread_of(client, "heart", "Resolved case")
    post_id = int(thread.rsplit("/")[-1])
    async with app.state.sessions() as session:
        group = await registry.group_named(session, app.state.settings.domain, "heart")
        await states.set_locked(session, group.actor_id, post_id, True)
        session.add(Case(post_id=post_id, group_id=group.actor_id, state="resolved", title="Resolved case",
                         question="q", presentation="p", specialties=[], age_band="adult", sex="female"))
        await session.commit()
    group_marks = re.findall(r'class="badge badge-(\w+)"', (await client.get("/groups/heart")).text)
    assert group_marks == ["resolved", "locked"]
    thread_marks = re.findall(r'class="badge badge-(\w+)"', (await client.get(thread)).text)
    # the thread page marks the thread, and its case block shows the case's state as well
    assert thread_marks[:2] == ["resolved", "locked"] and set(thread_marks) == {"resolved", "locked"}


async def test_web_group_thread_is_a_titled_page(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    thread = await thread_of(client, "heart", "Amyloid & the heart", "Who screens for ATTR?")
    async with app.state.sessions() as session:
        post = await session.get(Post, int(thread.rsplit("/")[-1]))
    assert post.object_type == "Page"
    served = (await client.get(urlparse(post.uri).path, headers=AP)).json()
    assert served["type"] == "Page" and served["name"] == "Amyloid & the heart"
    assert "Who screens for ATTR?" in served["content"] and "<strong>Amyloid" not in served["content"]
    assert served["audience"].endswith("/groups/heart")
    page = (await client.get(thread)).text
    assert "<h1>Amyloid &amp; the heart</h1>" in page
