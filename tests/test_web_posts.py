"""The web UI's posts: compose (images, polls, replies, the patient-privacy guard), timelines and paging,
threads, and the actions on posts."""
from __future__ import annotations

import dataclasses
import html
import io
import re
from contextlib import asynccontextmanager

import httpx
from PIL import Image
from sqlalchemy import func, select

from server.db.models import Actor, Bookmark, Like, MediaAttachment, Post
from server.services.instance import settings as instance_settings
from server.services.posts.fanout import fan_out
from server.services.social import blocks_and_mutes as members
from tests.support import factories
from tests.support.apps import client_of, running_app
from tests.support.images import camera_jpeg, labelled_xray
from tests.support.web import csrf_of, member_session

PHI_TEXT = "Pt John Smith, MRN 4482913, seen 03/14/2024 in room 412"
MARK = re.compile(r'<mark title="([^"]*)">(.*?)</mark>')


async def actor_of(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        return (await session.execute(select(Actor).where(Actor.username == username, Actor.local.is_(True)))
                ).scalar_one()


async def make_post(app, author: Actor, visibility: str = "public", content: str = "<p>Hello</p>", **fields) -> Post:
    """A post by `author` (written directly), put in the home timelines it belongs in."""
    async with app.state.sessions() as session:
        author = await session.get(Actor, author.id)
        mentions = [await session.get(Actor, m.id) for m in fields.pop("mentions", [])]
        row = await factories.post(session, app.state.urls, author, visibility, content=content, mentions=mentions,
                                   **fields)
        await fan_out(session, row, [m.id for m in mentions])
        await session.commit()
        return row


async def compose(client: httpx.AsyncClient, data: dict, files: dict | None = None) -> httpx.Response:
    token = csrf_of((await client.get("/compose")).text)
    return await client.post("/compose", data={"csrf_token": token, **data}, files=files)


async def posts_of(app, username: str) -> list[Post]:
    actor = await actor_of(app, username)
    async with app.state.sessions() as session:
        query = select(Post).where(Post.author_id == actor.id).order_by(Post.id)
        return list((await session.execute(query)).scalars())


async def act(client: httpx.AsyncClient, path: str, page: str, **data) -> httpx.Response:
    """POST a status or account action with the CSRF token of `page`."""
    return await client.post(path, data={"csrf_token": csrf_of((await client.get(page)).text), **data})


# --- compose ------------------------------------------------------------------------------------

async def test_compose_posts_and_shows_it_on_home(app, client):
    await member_session(app, client, "alice")
    done = await compose(client, {"status": "Grand rounds at noon #cardiology", "visibility": "local",
                                  "spoiler_text": "Schedule"})
    assert done.status_code == 303
    [post] = await posts_of(app, "alice")
    assert (post.visibility, post.summary) == ("local", "Schedule")
    assert done.headers["location"] == f"/statuses/{post.id}"
    home = await client.get("/home")
    assert home.status_code == 200 and "Grand rounds at noon" in home.text
    assert '<details class="cw">' in home.text and "Members only" in home.text
    assert "/tags/cardiology" in home.text


async def test_compose_inline_form_on_home_returns_home(app, client):
    await member_session(app, client, "alice")
    home = await client.get("/home")
    assert 'action="/compose"' in home.text and 'name="next" value="/home"' in home.text
    done = await client.post("/compose", data={"csrf_token": csrf_of(home.text), "status": "From home",
                                               "next": "/home"})
    assert done.status_code == 303 and done.headers["location"] == "/home"
    hostile = await client.post("/compose", data={"csrf_token": csrf_of(home.text), "status": "Again",
                                                  "next": "https://evil.example/"})
    assert hostile.headers["location"].startswith("/statuses/")


async def test_compose_refusal_keeps_the_text(app, client):
    await member_session(app, client, "alice")
    refused = await compose(client, {"status": "x" * 5001})
    assert refused.status_code == 422 and "at most 5,000 characters" in refused.text
    assert "x" * 5001 in refused.text
    assert await posts_of(app, "alice") == []


async def test_compose_image_is_stripped_and_described(app, client):
    await member_session(app, client, "alice")
    page = await client.get("/compose")
    assert "faces, wristbands, labels and screens" in page.text
    done = await compose(client, {"status": "ECG of the day", "media_description_new_1": "12-lead ECG, ST elevation"},
                         files={"media_file_1": ("ecg.jpg", camera_jpeg(), "image/jpeg")})
    assert done.status_code == 303
    [post] = await posts_of(app, "alice")
    [attachment] = post.attachments
    assert attachment["description"] == "12-lead ECG, ST elevation"
    async with app.state.sessions() as session:
        row = (await session.execute(select(MediaAttachment).where(MediaAttachment.post_id == post.id))).scalar_one()
    stored = app.state.settings.media_dir / row.file_key[:2] / f"{row.file_key}.{row.extension}"
    assert not Image.open(io.BytesIO(stored.read_bytes())).getexif()  # GPS, camera, time: gone
    shown = await client.get(f"/statuses/{post.id}")
    assert 'alt="12-lead ECG, ST elevation"' in shown.text


async def test_compose_poll_then_another_member_votes(app, client):
    await member_session(app, client, "alice")
    done = await compose(client, {"status": "First-line?", "poll_option_1": "Apixaban", "poll_option_2": "Warfarin",
                                  "poll_duration": "3600"})
    assert done.status_code == 303
    [post] = await posts_of(app, "alice")
    assert [o["title"] for o in post.poll["options"]] == ["Apixaban", "Warfarin"]
    bob = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with bob:
        await member_session(app, bob, "bob")
        page = await bob.get(f"/statuses/{post.id}")
        assert f'action="/statuses/{post.id}/vote"' in page.text
        voted = await act(bob, f"/statuses/{post.id}/vote", f"/statuses/{post.id}", choice="1")
        assert voted.status_code == 303
        after = await bob.get(f"/statuses/{post.id}")
        assert f'action="/statuses/{post.id}/vote"' not in after.text
        assert "100%" in after.text and "(your vote)" in after.text
    own = await client.get(f"/statuses/{post.id}")
    assert f'action="/statuses/{post.id}/vote"' not in own.text  # no vote in one's own poll


async def test_compose_reply_mentions_and_stays_members_only(app, client):
    bob = await factories_member(app, "bob")
    parent = await make_post(app, bob, "local", "<p>Journal club?</p>")
    await member_session(app, client, "alice")
    page = await client.get(f"/compose?in_reply_to={parent.id}")
    assert "Journal club?" in page.text and "@bob " in page.text
    assert re.search(r'<option value="local" selected', page.text)
    done = await client.post("/compose", data={"csrf_token": csrf_of(page.text), "status": "@bob yes",
                                               "in_reply_to_id": str(parent.id), "visibility": "public"})
    assert done.status_code == 303 and done.headers["location"] == f"/statuses/{parent.id}"
    [reply] = await posts_of(app, "alice")
    assert reply.in_reply_to_id == parent.id and reply.visibility == "local"
    assert (await client.get("/compose?in_reply_to=999999")).status_code == 404


async def factories_member(app, username: str) -> Actor:
    async with app.state.sessions() as session:
        actor = await factories.member(session, app.state.urls, app.state.settings.domain, username)
        await session.commit()
        return actor


# --- the patient-privacy guard ------------------------------------------------------------------

async def test_compose_phi_warn_highlights_each_finding_and_posts_only_when_confirmed(app, client):
    await member_session(app, client, "alice")
    checked = await compose(client, {"status": PHI_TEXT, "visibility": "local"})
    assert checked.status_code == 422 and await posts_of(app, "alice") == []
    marks = MARK.findall(checked.text)
    assert marks == [("Name", "John Smith"), ("MRN or record number", "4482913"), ("Date", "03/14/2024"),
                     ("Room, bed or facility", "room 412")]
    assert 'name="phi_confirmed" value="1"' in checked.text  # "Post anyway"
    assert "Post anyway" in checked.text and html.escape(PHI_TEXT) in checked.text  # the text is kept for editing
    confirmed = await client.post("/compose", data={"csrf_token": csrf_of(checked.text), "status": PHI_TEXT,
                                                    "visibility": "local", "phi_confirmed": "1"})
    assert confirmed.status_code == 303
    [post] = await posts_of(app, "alice")
    assert post.source == PHI_TEXT


async def test_compose_phi_highlight_cannot_inject_html(app, client):
    await member_session(app, client, "alice")
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> MRN 4482913 "</mark><b>'
    checked = await compose(client, {"status": hostile})
    assert checked.status_code == 422
    assert "<script>alert(1)" not in checked.text and "<img src=x" not in checked.text
    assert '"</mark><b>' not in checked.text
    assert MARK.findall(checked.text) == [("MRN or record number", "4482913")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in checked.text


async def test_compose_phi_checks_poll_options_and_image_descriptions(app, client):
    await member_session(app, client, "alice")
    checked = await compose(client, {"status": "Which dose?", "poll_option_1": "MRN 4482913", "poll_option_2": "b"})
    assert checked.status_code == 422 and "Poll option 1" in checked.text
    assert MARK.findall(checked.text) == [("MRN or record number", "4482913")]
    described = await compose(client, {"status": "Film", "media_description_new_1": "Chest film of Mr. John Smith"},
                              files={"media_file_1": ("x.jpg", camera_jpeg(64, 48), "image/jpeg")})
    assert described.status_code == 422 and "Image description 1" in described.text
    # the upload is kept for the next try: its id comes back in the form, not the file
    kept = re.search(r'name="media_id" value="(\d+)"', described.text)
    assert kept and MARK.findall(described.text) == [("Name", "John Smith")]
    fixed = await client.post("/compose", data={"csrf_token": csrf_of(described.text), "status": "Film",
                                                 "media_id": kept.group(1),
                                                 f"media_description_{kept.group(1)}": "Chest film, left effusion"})
    assert fixed.status_code == 303
    [post] = await posts_of(app, "alice")
    assert [a["description"] for a in post.attachments] == ["Chest film, left effusion"]


@asynccontextmanager
async def phi_policy_app(settings, policy: str):
    """An app whose PHI policy is `policy`, in its settings and as an admin's run-time choice."""
    async with running_app(dataclasses.replace(settings, phi_policy=policy)) as application:
        async with application.state.sessions() as session:
            await instance_settings.set_phi_policy(session, policy)
            await session.commit()
        yield application


async def test_compose_phi_block_refuses_even_when_confirmed(settings):
    async with phi_policy_app(settings, "block") as block_app, client_of(block_app) as client:
        await member_session(block_app, client, "alice")
        refused = await compose(client, {"status": PHI_TEXT, "phi_confirmed": "1"})
        assert refused.status_code == 422 and "does not allow" in refused.text
        assert 'name="phi_confirmed"' not in refused.text
        assert len(MARK.findall(refused.text)) == 4
        assert await posts_of(block_app, "alice") == []


async def test_compose_phi_hold_never_publishes_and_says_review(settings):
    async with phi_policy_app(settings, "hold") as hold_app, client_of(hold_app) as client:
        await member_session(hold_app, client, "alice")
        answer = await compose(client, {"status": PHI_TEXT, "visibility": "public"})
        assert answer.status_code == 202 and "awaits review" in answer.text
        assert [p.visibility for p in await posts_of(hold_app, "alice")] == ["held"]
        own = await client.get("/@alice?with_replies=1")
        assert "Awaiting review" in own.text and "John Smith" in own.text  # its author alone sees it
        async with client_of(hold_app) as visitor:
            assert "John Smith" not in (await visitor.get("/@alice")).text


# --- timelines ----------------------------------------------------------------------------------

async def test_timeline_pages_with_older_posts_link(app, client):
    await member_session(app, client, "alice")
    bob = await factories_member(app, "bob")
    for n in range(25):
        await make_post(app, bob, "public", f"<p>note number {n}</p>")
    first = await client.get("/local")
    assert first.text.count('<article class="status') == 20 and "note number 24" in first.text
    older = re.search(r'href="(/local\?max_id=\d+)" rel="next"', first.text)
    assert older, "no Older posts link"
    second = await client.get(html.unescape(older.group(1)))
    assert second.text.count('<article class="status') == 5 and "note number 0" in second.text
    assert "note number 24" not in second.text and 'rel="next"' not in second.text
    assert (await client.get("/local?max_id=abc")).status_code == 404
    beyond = await client.get("/local?max_id=99999999999999999999")  # past 64 bits: the newest page
    assert beyond.status_code == 200 and "note number 24" in beyond.text


async def test_timeline_public_is_closed_to_visitors_by_default(app, client):
    alice = await factories_member(app, "alice")
    await make_post(app, alice, "public", "<p>open note</p>")
    await make_post(app, alice, "local", "<p>members note</p>")
    assert (await client.get("/public")).status_code == 404
    async with app.state.sessions() as session:
        await instance_settings.set_value(session, "public_timelines", True)
        await session.commit()
    opened = await client.get("/public")
    assert opened.status_code == 200 and "open note" in opened.text and "members note" not in opened.text
    await member_session(app, client, "bob")
    assert (await client.get("/public")).headers["location"] == "/federated"


async def test_timeline_tag_for_members_and_closed_to_visitors(app, client):
    alice = await factories_member(app, "alice")
    await make_post(app, alice, "local", '<p>members <a href="/tags/echo">#echo</a></p>', id=None)
    async with app.state.sessions() as session:
        [post] = (await session.execute(select(Post))).scalars().all()
        from server.db.models import PostTag
        session.add(PostTag(post_id=post.id, tag="echo"))
        await session.commit()
    visitor = await client.get("/tags/echo")
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    await member_session(app, client, "bob")
    page = await client.get("/tags/Echo")
    assert page.status_code == 200 and "members" in page.text and "<h1>#echo</h1>" in page.text


async def test_timeline_hides_muted_and_blocked_accounts(app, client):
    await member_session(app, client, "alice")
    alice, bob, carol = (await actor_of(app, "alice"), await factories_member(app, "bob"),
                         await factories_member(app, "carol"))
    await make_post(app, bob, "local", "<p>from bob</p>")
    await make_post(app, carol, "local", "<p>from carol</p>")
    assert "from bob" in (page := (await client.get("/local")).text) and "from carol" in page
    async with app.state.sessions() as session:
        me = await session.get(Actor, alice.id)
        await members.mute(session, me, await session.get(Actor, bob.id))
        await members.block(app.state.runtime, session, me, await session.get(Actor, carol.id))
        await session.commit()
    page = (await client.get("/local")).text
    assert "from bob" not in page and "from carol" not in page


# --- threads and actions ------------------------------------------------------------------------

async def test_thread_shows_ancestors_and_replies_the_viewer_may_see(app, client):
    alice, bob = await factories_member(app, "alice"), await factories_member(app, "bob")
    root = await make_post(app, alice, "public", "<p>root post</p>")
    reply = await make_post(app, bob, "public", "<p>public reply</p>", in_reply_to=root)
    await make_post(app, bob, "private", "<p>followers reply</p>", in_reply_to=root)
    page = await client.get(f"/statuses/{reply.id}")
    assert page.status_code == 200
    assert page.text.index("root post") < page.text.index("public reply")
    thread = await client.get(f"/statuses/{root.id}")
    assert "public reply" in thread.text and "followers reply" not in thread.text
    assert (await client.get("/statuses/12345")).status_code == 404
    assert (await client.get("/statuses/not-a-number")).status_code == 404


async def test_actions_favourite_boost_bookmark_and_undo(app, client):
    await member_session(app, client, "alice")
    bob = await factories_member(app, "bob")
    post = await make_post(app, bob, "public", "<p>a case</p>")
    page = f"/statuses/{post.id}"
    for action in ("favourite", "boost", "bookmark"):
        done = await act(client, f"/statuses/{post.id}/{action}", page, next="/local#s-1")
        assert done.status_code == 303 and done.headers["location"] == "/local#s-1"
    shown = await client.get(page)
    assert shown.text.count('aria-pressed="true"') == 3
    async with app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Like)) == 1
        assert await session.scalar(select(func.count()).select_from(Bookmark)) == 1
        assert await session.scalar(select(func.count()).where(Post.boost_of_id == post.id)) == 1
    for action in ("unfavourite", "unboost", "unbookmark"):
        done = await act(client, f"/statuses/{post.id}/{action}", page, next="https://evil.example/")
        assert done.headers["location"] == page  # never back to another site
    assert 'aria-pressed="true"' not in (await client.get(page)).text


async def test_actions_delete_only_own_posts(app, client):
    await member_session(app, client, "alice")
    alice, bob = await actor_of(app, "alice"), await factories_member(app, "bob")
    mine, theirs = await make_post(app, alice, "public"), await make_post(app, bob, "public")
    page = f"/statuses/{theirs.id}"
    assert 'data-confirm="Delete this post?' in (await client.get(f"/statuses/{mine.id}")).text
    assert (await act(client, f"/statuses/{theirs.id}/delete", page)).status_code == 404
    gone = await act(client, f"/statuses/{mine.id}/delete", page, next=f"/statuses/{mine.id}")
    assert gone.status_code == 303 and gone.headers["location"] == "/home"
    assert [p.id for p in await posts_of(app, "alice")] == [] and len(await posts_of(app, "bob")) == 1


async def test_actions_on_an_invisible_post_are_404(app, client):
    await member_session(app, client, "alice")
    bob = await factories_member(app, "bob")
    hidden = await make_post(app, bob, "private", "<p>for followers</p>")
    home = "/home"
    for action in ("favourite", "boost", "bookmark", "vote"):
        assert (await act(client, f"/statuses/{hidden.id}/{action}", home)).status_code == 404
    async with app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Like)) == 0


def test_highlight_merges_overlapping_findings_and_escapes_everything_else():
    from moderation.phi import Finding
    from server.web.phi_marks import highlight
    text = "<i>John Smith</i> & Jo"
    marked = highlight(text, [Finding("name", 3, 13, "John Smith", "r"), Finding("date", 8, 15, "Smith</", "r"),
                              Finding("phone", 40, 50, "", "r")])
    assert str(marked) == '&lt;i&gt;<mark title="Name, Date">John Smith&lt;/</mark>i&gt; &amp; Jo'
    assert str(highlight("plain", [])) == "plain"


async def test_actions_refuse_a_post_without_csrf_token(app, client):
    from server.web.routes import WEB_ROUTES
    await member_session(app, client, "alice")
    bob = await factories_member(app, "bob")
    post = await make_post(app, bob, "public")
    posted = [r.path for r in WEB_ROUTES if "POST" in r.methods and "{id}" in r.path]
    assert len(posted) >= 16
    for path in posted:
        target = path.replace("{id}", str(post.id if path.startswith("/statuses/") else bob.id))
        assert (await client.post(target, data={"next": "/home"})).status_code == 403, path
    async with app.state.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Like)) == 0
        assert await session.scalar(select(func.count()).select_from(Post)) == 1


async def test_compose_reply_to_a_post_one_may_not_see_is_refused(app, client):
    await member_session(app, client, "alice")
    bob = await factories_member(app, "bob")
    hidden = await make_post(app, bob, "private", "<p>for followers</p>")
    refused = await compose(client, {"status": "guessing", "in_reply_to_id": str(hidden.id)})
    assert refused.status_code == 422 and "does not exist" in refused.text and "for followers" not in refused.text
    assert await posts_of(app, "alice") == []


async def test_compose_phi_image_outlines_findings_and_blurring_lets_it_post(app, client):
    await member_session(app, client, "alice")
    checked = await compose(client, {"status": "Old film"},
                            files={"media_file_1": ("film.png", labelled_xray(), "image/png")})
    assert checked.status_code == 422 and "Image 1" in checked.text
    assert re.search(r'<rect class="phi-box" x="\d+" y="\d+" width="\d+" height="\d+">'
                     r'<title>MRN or record number', checked.text)
    assert "“4482913”" in checked.text
    kept = re.search(r'name="media_id" value="(\d+)"', checked.text).group(1)
    blurred = await client.post("/compose", data={"csrf_token": csrf_of(checked.text), "status": "Old film",
                                                  "media_id": kept, "blur_media": kept})
    assert blurred.status_code == 200 and "Image 1 was blurred" in blurred.text
    copy = re.search(r'name="media_id" value="(\d+)"', blurred.text).group(1)
    assert copy != kept
    posted = await client.post("/compose", data={"csrf_token": csrf_of(blurred.text), "status": "Old film",
                                                 "media_id": copy})
    assert posted.status_code == 303
    [post] = await posts_of(app, "alice")
    assert [a["id"] for a in post.attachments] == [copy]
