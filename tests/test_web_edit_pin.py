"""Editing one's own post from the web (/statuses/{id}/edit, through the same service as the client API:
history kept, an Update federated, the patient-privacy guard as on compose), the edit history page, and
pinning one's own public posts to one's profile."""
from __future__ import annotations

import json

import httpx
from sqlalchemy import select

from server.db.models import Actor, Delivery, Pin, Post, PostEdit
from server.services.instance.settings import set_phi_policy
from tests.support import factories
from tests.support.members import member, open_to_visitors
from tests.support.web import csrf_of, member_session
from tests.test_web_posts import PHI_TEXT, act, actor_of, compose, make_post, posts_of


async def _with_remote_follower(app, username: str) -> None:
    """bob@remote.example follows `username`: their public posts' activities go to his server."""
    async with app.state.sessions() as session:
        bob = await factories.remote_actor(session, "bob")
        await factories.follow(session, bob, await session.get(Actor, (await actor_of(app, username)).id))
        await session.commit()


async def _activities(app) -> list[dict]:
    async with app.state.sessions() as session:
        return [json.loads(d.body) for d in (await session.execute(select(Delivery).order_by(Delivery.id))).scalars()]


async def _edits(app, post_id: int) -> list[PostEdit]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(PostEdit).where(PostEdit.post_id == post_id))).scalars())


async def _edit(client, post_id: int, **fields) -> tuple[str, object]:
    page = await client.get(f"/statuses/{post_id}/edit")
    return page, await client.post(f"/statuses/{post_id}/edit", data={"csrf_token": csrf_of(page.text), **fields})


async def test_web_edit_changes_the_post_keeps_its_history_and_federates_an_update(app, client):
    await member_session(app, client, "alice")
    await _with_remote_follower(app, "alice")
    assert (await compose(client, {"status": "Journal club: #cardiology trial",
                                   "visibility": "public"})).status_code == 303
    [post] = await posts_of(app, "alice")
    thread = await client.get(f"/statuses/{post.id}")
    assert f'href="/statuses/{post.id}/edit"' in thread.text
    page, saved = await _edit(client, post.id, status="Journal club moved to Friday #cardiology",
                              spoiler_text="Schedule", language="fr")
    assert page.status_code == 200 and "Journal club: #cardiology trial</textarea>" in page.text
    assert saved.status_code == 303 and saved.headers["location"] == f"/statuses/{post.id}"
    [edited] = await posts_of(app, "alice")
    assert edited.source == "Journal club moved to Friday #cardiology" and "moved to Friday" in edited.content_html
    assert (edited.summary, edited.language, edited.edited_at is not None) == ("Schedule", "fr", True)
    [earlier] = await _edits(app, post.id)
    assert "Journal club: " in earlier.content_html and "trial" in earlier.content_html
    update = [a for a in await _activities(app) if a["type"] == "Update"]
    assert len(update) == 1 and "moved to Friday" in update[0]["object"]["content"]
    shown = await client.get(f"/statuses/{post.id}")
    assert f'href="/statuses/{post.id}/history"' in shown.text and "Edited" in shown.text
    history = await client.get(f"/statuses/{post.id}/history")
    assert history.status_code == 200 and "Current version" in history.text and "Original" in history.text
    assert history.text.index("moved to Friday") < history.text.index("Journal club: <a")
    refused = await _edit(client, post.id, status="", language="fr")
    assert refused[1].status_code == 422 and "not saved" in refused[1].text
    bad_language = await _edit(client, post.id, status="Fine text", language="x" * 40)
    assert bad_language[1].status_code == 422 and len(await _edits(app, post.id)) == 1


async def test_web_edit_with_identifiers_is_refused_under_the_block_policy(app, client):
    await member_session(app, client, "alice")
    await _with_remote_follower(app, "alice")
    await compose(client, {"status": "Interesting ECG this morning", "visibility": "public"})
    [post] = await posts_of(app, "alice")
    async with app.state.sessions() as session:
        await set_phi_policy(session, "block", by="test")
        await session.commit()
    _, refused = await _edit(client, post.id, status=PHI_TEXT)
    assert refused.status_code == 422 and "does not allow such posts" in refused.text
    assert "<mark" in refused.text and "Save anyway" not in refused.text
    assert PHI_TEXT in refused.text  # what the author typed comes back to be fixed
    [unchanged] = await posts_of(app, "alice")
    assert unchanged.source == "Interesting ECG this morning" and unchanged.edited_at is None
    assert await _edits(app, post.id) == [] and not [a for a in await _activities(app) if a["type"] == "Update"]


async def test_web_edit_with_identifiers_under_warn_needs_the_authors_confirmation(app, client):
    await member_session(app, client, "alice")
    await compose(client, {"status": "Ward round notes", "visibility": "local"})
    [post] = await posts_of(app, "alice")
    async with app.state.sessions() as session:
        await set_phi_policy(session, "warn", by="test")
        await session.commit()
    page, asked = await _edit(client, post.id, status=PHI_TEXT)
    assert asked.status_code == 422 and "Save anyway" in asked.text
    assert (await posts_of(app, "alice"))[0].source == "Ward round notes"
    confirmed = await client.post(f"/statuses/{post.id}/edit", data={
        "csrf_token": csrf_of(page.text), "status": PHI_TEXT, "phi_confirmed": "1"})
    assert confirmed.status_code == 303 and (await posts_of(app, "alice"))[0].source == PHI_TEXT


async def test_web_someone_elses_post_cannot_be_edited_or_pinned(app, client):
    await member(app, "bob")
    bobs = await make_post(app, await actor_of(app, "bob"), content="<p>Bob's post</p>")
    await member_session(app, client, "alice")
    assert f"/statuses/{bobs.id}/edit" not in (await client.get(f"/statuses/{bobs.id}")).text
    assert (await client.get(f"/statuses/{bobs.id}/edit")).status_code == 404
    token = csrf_of((await client.get("/home")).text)
    posted = await client.post(f"/statuses/{bobs.id}/edit", data={"csrf_token": token, "status": "Hijacked"})
    assert posted.status_code == 404
    assert (await client.post(f"/statuses/{bobs.id}/pin", data={"csrf_token": token})).status_code == 404
    async with app.state.sessions() as session:
        assert (await session.get(Post, bobs.id)).content_html == "<p>Bob's post</p>"
        assert (await session.execute(select(Pin))).scalars().all() == []


async def test_web_pin_shows_the_post_first_on_the_profile_and_unpin_takes_it_off(app, client):
    await member_session(app, client, "alice")
    alice = await actor_of(app, "alice")
    old = await make_post(app, alice, content="<p>My best case report</p>")
    await make_post(app, alice, content="<p>Something newer</p>")
    private = await make_post(app, alice, "private", content="<p>For followers</p>")
    pinned = await act(client, f"/statuses/{old.id}/pin", f"/statuses/{old.id}", next="/@alice")
    assert pinned.status_code == 303 and pinned.headers["location"] == "/@alice"
    profile = await client.get("/@alice")
    first_pinned = profile.text.index('class="status-boosted status-pinned">Pinned')
    assert first_pinned < profile.text.index("My best case report") < profile.text.index("Something newer")
    assert f'action="/statuses/{old.id}/unpin"' in profile.text
    refused = await act(client, f"/statuses/{private.id}/pin", f"/statuses/{private.id}")
    assert refused.status_code == 422 and "only public and unlisted posts can be pinned" in refused.text
    assert f"/statuses/{private.id}/pin" not in (await client.get(f"/statuses/{private.id}")).text
    async with app.state.sessions() as session:
        assert [p.post_id for p in (await session.execute(select(Pin))).scalars()] == [old.id]
    await open_to_visitors(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=str(client.base_url)) as visitor:
        assert "status-pinned" in (await visitor.get("/@alice")).text  # in an open community, visitors see pins
    unpinned = await act(client, f"/statuses/{old.id}/unpin", "/@alice")
    assert unpinned.status_code == 303 and "status-pinned" not in (await client.get("/@alice")).text
