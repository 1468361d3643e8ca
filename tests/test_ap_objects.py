"""Posts as other servers fetch them: the Note, its Create, and who may see what."""
import asyncio
import json
from dataclasses import replace
from datetime import datetime, timezone

import httpx
import pytest

from server.ap import negotiate
from server.ap.objects import post_documents, post_pages
from server.app import create_app
from server.db.engine import make_sessionmaker
from server.db.models import Actor, Block, Post
from server.services.posts.authoring import NewPost, delete_post, edit_post
from server.urls import LocalUrls
from tests.support import factories

AS = {"accept": "application/activity+json"}
BASE = "https://curbside.test"
URLS = LocalUrls(BASE)


@pytest.fixture
async def world(app, session):
    """alice (local) with posts of every visibility; bob follows her, carol is mentioned, dave is a stranger."""
    urls = app.state.urls
    alice = await factories.member(session, urls, "curbside.test", "alice")
    bob, carol, dave = [await factories.remote_actor(session, n) for n in ("bob", "carol", "dave")]
    bobs_server = await factories.remote_actor(session, "instance")  # same host as bob, not bob
    await factories.follow(session, bob, alice)
    await factories.follow(session, dave, alice, state="pending")
    members_only = await factories.post(session, urls, alice, "local")
    posts = {
        "public": await factories.post(session, urls, alice, "public"),
        "unlisted": await factories.post(session, urls, alice, "unlisted"),
        "private": await factories.post(session, urls, alice, "private"),
        "private-mentioning-carol": await factories.post(session, urls, alice, "private", mentions=[carol]),
        "direct": await factories.post(session, urls, alice, "direct", mentions=[carol]),
        "local": members_only,
        "reply-under-local": await factories.post(session, urls, alice, "public", in_reply_to=members_only),
    }
    await session.commit()
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "bobs_server": bobs_server, "posts": posts}


async def fetch(client, post, viewer=None, path=""):
    url = f"{post.uri}{path}"
    headers = factories.signed_headers(url, viewer) if viewer else AS
    return await client.get(url, headers=headers)


VISIBLE = {  # post -> viewers that may see it
    "public": {None, "bob", "carol", "dave", "bobs_server"},
    "unlisted": {None, "bob", "carol", "dave", "bobs_server"},
    "private": {"bob"},
    "private-mentioning-carol": {"bob", "carol"},
    "direct": {"carol"},
    "local": set(),
    "reply-under-local": set(),
}


async def test_object_visibility_matrix(client, world):
    unknown = await client.get(f"{BASE}/users/alice/statuses/12345", headers=AS)
    assert unknown.status_code == 404
    for name, post in world["posts"].items():
        for viewer in (None, "bob", "carol", "dave", "bobs_server"):
            response = await fetch(client, post, world[viewer] if viewer else None)
            if viewer in VISIBLE[name]:
                assert response.status_code == 200, (name, viewer)
                assert response.json()["id"] == post.uri
            else:
                assert (response.status_code, response.content) == (404, unknown.content), (name, viewer)
            activity = await fetch(client, post, world[viewer] if viewer else None, "/activity")
            assert activity.status_code == (200 if viewer in VISIBLE[name] else 404), (name, viewer)


async def test_object_is_hidden_from_actors_the_author_blocks(client, world, session):
    session.add(Block(actor_id=world["alice"].id, target_id=world["dave"].id, uri="https://curbside.test/blocks/1"))
    await session.commit()
    assert (await fetch(client, world["posts"]["public"], world["dave"])).status_code == 404
    assert (await fetch(client, world["posts"]["public"])).status_code == 200


async def test_object_under_the_wrong_author_or_a_bad_id_is_404(client, world, app, session):
    post = world["posts"]["public"]
    other = await factories.member(session, app.state.urls, "curbside.test", "other")
    await session.commit()
    assert (await client.get(f"/users/other/statuses/{post.id}", headers=AS)).status_code == 404
    assert (await client.get(f"/users/alice/statuses/{2**64}", headers=AS)).status_code == 404
    assert (await client.get("/users/alice/statuses/abc", headers=AS)).status_code == 404
    assert other.id != post.author_id


async def test_object_note_carries_addressing_and_tags(client, world):
    post = world["posts"]["private-mentioning-carol"]
    note = (await fetch(client, post, world["carol"])).json()
    assert note["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert note["type"] == "Note" and note["attributedTo"] == f"{BASE}/users/alice"
    assert note["to"] == [f"{BASE}/users/alice/followers"] and note["cc"] == [world["carol"].uri]
    assert note["tag"] == [{"type": "Mention", "href": world["carol"].uri, "name": "@carol@remote.example"}]
    assert note["url"] == f"{BASE}/@alice/{post.id}" and note["content"] == "<p>Hello</p>"
    assert note["replies"]["id"] == f"{post.uri}/replies" and note["inReplyTo"] is None
    create = (await fetch(client, post, world["carol"], "/activity")).json()
    assert create["type"] == "Create" and create["id"] == f"{post.uri}/activity" and create["object"]["id"] == post.uri


async def test_object_poll_is_a_question(client, app, world, session):
    poll = {"options": [{"title": "Yes", "votes_count": 3}, {"title": "No", "votes_count": 1}], "multiple": False,
            "expires_at": "2020-01-01T00:00:00Z", "closed": False, "voters_count": 4}
    post = await factories.post(session, app.state.urls, world["alice"], language="de", poll=poll,
                                content="<p>Ja?</p>", summary="CW", sensitive=True)
    await session.commit()
    note = (await fetch(client, post)).json()
    assert note["type"] == "Question" and note["votersCount"] == 4
    assert note["oneOf"] == [{"type": "Note", "name": "Yes", "replies": {"type": "Collection", "totalItems": 3}},
                             {"type": "Note", "name": "No", "replies": {"type": "Collection", "totalItems": 1}}]
    assert note["endTime"] == note["closed"] == "2020-01-01T00:00:00Z"
    assert note["contentMap"] == {"de": "<p>Ja?</p>"} and note["summary"] == "CW" and note["sensitive"] is True


async def test_object_browsers_get_redirect_and_escaped_page(client, app, world, session):
    post = await factories.post(session, app.state.urls, world["alice"], content="<p>a &lt;script&gt; b</p>")
    await session.commit()
    redirect = await client.get(post.uri, headers={"accept": "text/html"})
    assert redirect.status_code == 302 and redirect.headers["location"] == f"{BASE}/@alice/{post.id}"
    assert redirect.headers["vary"] == "Accept"
    page = await client.get(f"/@alice/{post.id}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert f'type="application/activity+json" href="{post.uri}"' in page.text
    assert (await client.get(f"/@alice/{post.id}", headers=AS)).json()["id"] == post.uri
    private = world["posts"]["private"]
    assert (await client.get(private.uri, headers={"accept": "text/html"})).status_code == 404
    assert (await client.get(f"/@alice/{private.id}", headers={"accept": "text/html"})).status_code == 404


async def test_object_authorized_fetch_refuses_unsigned(settings, world):
    app = create_app(replace(settings, authorized_fetch=True))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
            public, private = world["posts"]["public"], world["posts"]["private"]
            assert (await fetch(c, public)).status_code == 401
            assert (await fetch(c, public, path="/activity")).status_code == 401
            assert (await fetch(c, public, world["dave"])).status_code == 200
            assert (await fetch(c, private, world["bob"])).status_code == 200
            assert (await fetch(c, private, world["dave"])).status_code == 404


def _post(visibility: str, **fields) -> Post:
    author = Actor(uri=URLS.actor("alice"), username="alice", followers_url=URLS.followers("alice"), local=True)
    when = datetime(2024, 5, 1, 12, 0, 0, 123, tzinfo=timezone.utc)
    return Post(id=7, uri=f"{URLS.actor('alice')}/statuses/7", author=author, visibility=visibility,
                content_html="<p>x</p>", published=when, to=[], cc=[], tags=[], attachments=[], **fields)


def test_post_to_as_refuses_members_only_posts():
    from server.convert.post_to_as import create_activity, delete_activity, post_to_note
    for convert in (post_to_note, create_activity, delete_activity):
        with pytest.raises(ValueError):
            convert(_post("local"), URLS)


def test_post_to_as_addresses_from_visibility_when_not_stored():
    from server.convert.post_to_as import post_to_note
    note = post_to_note(_post("unlisted"), URLS)
    assert note["to"] == [URLS.followers("alice")] and note["cc"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert note["published"] == "2024-05-01T12:00:00Z" and "updated" not in note


def test_post_to_as_update_delete_and_announce():
    from server.convert.post_to_as import announce_activity, delete_activity, update_activity
    edited = _post("public", edited_at=datetime(2024, 5, 2, tzinfo=timezone.utc))
    update = update_activity(edited, URLS)
    assert update["type"] == "Update" and update["id"].startswith(f"{edited.uri}#updates/")
    assert update["object"]["updated"] == "2024-05-02T00:00:00Z"
    delete = delete_activity(edited, URLS)
    assert delete["object"] == {"id": edited.uri, "type": "Tombstone"} and delete["actor"] == URLS.actor("alice")
    remote_author = Actor(uri="https://remote.example/users/zed", username="zed", local=False)
    boosted = Post(id=9, uri="https://remote.example/notes/9", author=remote_author, visibility="public")
    boost = _post("public", boost_of_id=9)
    boost.uri = URLS.boost("alice", 7)
    announce = announce_activity(boost, boosted, URLS)
    assert announce["object"] == boosted.uri and announce["id"] == f"{URLS.actor('alice')}/statuses/7/activity"
    assert announce["cc"] == [URLS.followers("alice"), remote_author.uri]


def _published_ids(activity: dict) -> list[str]:
    """The URL-valued ids an activity publishes: its own, its object's and its actor's."""
    inner = activity["object"] if isinstance(activity.get("object"), dict) else {}
    return [activity["id"], activity["actor"], *([inner["id"]] if "id" in inner else [])]


async def test_every_id_we_publish_answers_200(client, app, session):
    """ActivityPub 3.1: ids are fetchable. Those of Create, Announce, Follow and Like as queued for delivery,
    fetched as a remote server would (without the fragment, which never leaves the client)."""
    from sqlalchemy import select

    from server.db.models import Delivery
    from tests.support.members import member
    alice = await member(app, "alice")
    bob = await factories.remote_actor(session, "bob")
    await factories.follow(session, bob, alice.actor)
    bobs = Post(id=5 << 22, uri="https://remote.example/users/bob/notes/5", author_id=bob.id, local=False,
                visibility="public", content_html="<p>hi</p>", published=datetime.now(timezone.utc))
    session.add(bobs)
    await session.commit()
    posted = (await client.post("/api/v1/statuses", json={"status": "hello"}, headers=alice.headers)).json()
    for path in (f"/api/v1/statuses/{posted['id']}/reblog", f"/api/v1/statuses/{bobs.id}/favourite",
                 f"/api/v1/accounts/{bob.id}/follow"):
        assert (await client.post(path, headers=alice.headers)).status_code == 200, path
    queued = [json.loads(body) for body in (await session.execute(select(Delivery.body))).scalars()]
    assert sorted(a["type"] for a in queued) == ["Announce", "Create", "Follow", "Like"]
    ours = {i.split("#")[0] for a in queued for i in _published_ids(a) if i.startswith(BASE)}
    assert len(ours) == 4  # alice, her note, its Create, her boost's Announce
    for url in ours:
        response = await client.get(url, headers=AS)
        assert response.status_code == 200, url
        assert response.json()["id"] == url


async def test_boost_before_the_announce_id_change_is_undone_and_found_by_its_old_id(client, app, session):
    """Announces had the id `…/activity/activity` until December 2026, and servers stored it: unboosting
    sends an Undo naming each id, and the old id still leads to the Announce."""
    from sqlalchemy import select

    from server.db.models import Delivery
    from tests.support.members import member
    alice = await member(app, "alice")
    await factories.follow(session, await factories.remote_actor(session, "bob"), alice.actor)
    await session.commit()
    posted = (await client.post("/api/v1/statuses", json={"status": "hello"}, headers=alice.headers)).json()
    boost = (await client.post(f"/api/v1/statuses/{posted['id']}/reblog", headers=alice.headers)).json()
    old_id = f"{boost['uri']}/activity"
    redirected = await client.get(old_id, headers=AS)
    assert redirected.status_code == 302 and redirected.headers["location"] == boost["uri"]
    assert (await client.get(boost["uri"], headers=AS)).json()["id"] == boost["uri"]
    assert (await client.get(f"{posted['uri']}/activity/activity", headers=AS)).status_code == 404  # not a boost
    assert (await client.post(f"/api/v1/statuses/{posted['id']}/unreblog", headers=alice.headers)).status_code == 200
    queued = [json.loads(body) for body in (await session.execute(select(Delivery.body))).scalars()]
    undone = sorted(a["object"]["id"] for a in queued if a["type"] == "Undo")
    assert undone == sorted([boost["uri"], old_id])
    assert (await client.get(old_id, headers=AS)).status_code == 404  # gone with the boost


async def _note_text(client, post) -> str | None:
    response = await client.get(post.uri, headers=AS)
    return response.json()["content"] if response.status_code == 200 else None


async def test_object_cached_note_follows_an_edit_and_a_delete_in_this_process(client, app, world, session):
    alice, post = world["alice"], world["posts"]["public"]
    runtime = app.state.runtime
    assert "edited" not in await _note_text(client, post)
    assert post_documents(app.state.runtime).get("alice", post.id) is not None  # served from the cache from now on
    await edit_post(runtime, session, alice, post.id, NewPost(text="edited once"))
    await session.commit()
    assert "edited once" in await _note_text(client, post)
    await delete_post(runtime, session, alice, post.id)
    await session.commit()
    assert await _note_text(client, post) is None


async def test_object_cached_note_follows_an_edit_made_by_another_process(client, app, world):
    alice, post = world["alice"], world["posts"]["unlisted"]
    await _note_text(client, post)
    elsewhere = make_sessionmaker(app.state.engine)  # no hook into this app: as another process commits
    async with elsewhere() as session:
        await edit_post(app.state.runtime, session, await session.get(Actor, alice.id), post.id,
                        NewPost(text="edited elsewhere", visibility="unlisted"))
        await session.commit()
    for _ in range(50):
        if "edited elsewhere" in await _note_text(client, post):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the cached Note outlived its edit")


async def test_object_signed_fetch_is_answered_without_the_cache(client, app, world):
    post = world["posts"]["private"]
    assert (await fetch(client, post, world["bob"])).status_code == 200
    assert post_documents(app.state.runtime).get("alice", post.id) is None
    assert (await client.get(post.uri, headers=AS)).status_code == 404


async def test_object_page_for_visitors_is_kept_and_dropped_on_edit(client, app, world, session):
    alice, post = world["alice"], world["posts"]["public"]
    first = await client.get(f"/@alice/{post.id}", headers={"accept": "text/html"})
    assert first.status_code == 200 and post_pages(app.state.runtime).get("alice", post.id) is not None
    again = await client.get(f"/@alice/{post.id}", headers={"accept": "text/html"})
    assert again.text == first.text and again.headers["content-type"] == first.headers["content-type"]
    await edit_post(app.state.runtime, session, alice, post.id, NewPost(text="page edited"))
    await session.commit()
    assert "page edited" in (await client.get(f"/@alice/{post.id}", headers={"accept": "text/html"})).text


async def test_object_page_is_not_kept_for_a_signed_in_viewer(client, app, world):
    post = world["posts"]["public"]
    page = await client.get(f"/@alice/{post.id}", headers={"accept": "text/html", "cookie": "curbside_session=x"})
    assert page.status_code == 200 and post_pages(app.state.runtime).get("alice", post.id) is None


async def test_object_page_for_a_crowd_of_visitors_is_made_once(client, app, world, monkeypatch):
    post, made = world["posts"]["public"], []
    page = negotiate.web_page

    async def counted(request, handler):
        made.append(request.url.path)
        return await page(request, handler)

    monkeypatch.setattr(negotiate, "web_page", counted)
    pages = await asyncio.gather(*(client.get(f"/@alice/{post.id}", headers={"accept": "text/html"}) for _ in range(8)))
    assert {p.status_code for p in pages} == {200} and len({p.text for p in pages}) == 1
    assert made == [f"/@alice/{post.id}"]
