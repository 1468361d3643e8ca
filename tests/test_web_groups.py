"""Groups in the web UI: the directory by specialty, a group's page (negotiated with its Group actor), a thread
with nested replies, joining and leaving, starting a thread and replying through the privacy guard, a group
elsewhere read through our copies, and members-only groups that visitors never see."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from federation.addressing import PUBLIC
from server.db.ids import snowflake
from server.db.models import Actor, GroupPost, Post
from server.db.types import utcnow
from server.services.groups import registry
from server.services.groups.browsing import MAX_DEPTH, nest
from server.services.groups.registry import GroupFields, NewGroup
from server.services.instance.settings import PUBLIC_TIMELINES, set_value
from tests.support import factories
from tests.support.apps import client_of
from tests.support.web import csrf_of, member_session
from tests.test_web_posts import phi_policy_app

CARDIOLOGY, PAEDIATRICS = "207RC0000X", "208000000X"
PHI_TEXT = "Pt John Smith, MRN 4482913, seen 03/14/2024"
MARK = re.compile(r'<mark title="([^"]*)">(.*?)</mark>')
AP = {"Accept": "application/activity+json"}


async def make_group(app, name: str = "heart", title: str = "Heart failure", **fields) -> Actor:
    async with app.state.sessions() as session:
        group = await registry.create_group(session, app.state.urls, app.state.settings.domain,
                                            NewGroup(name, GroupFields(title=title, **fields)), by="test")
        await session.commit()
        return group.actor


async def open_to_visitors(app) -> None:
    async with app.state.sessions() as session:
        await set_value(session, PUBLIC_TIMELINES, True)
        await session.commit()


async def post_form(client, page: str, action: str, **data) -> object:
    """POST a form of `page` with its CSRF token."""
    return await client.post(action, data={"csrf_token": csrf_of((await client.get(page)).text), **data})


async def start_thread(client, group: str, title: str, text: str, **extra):
    return await post_form(client, f"/groups/{group}", f"/groups/{group}/threads", title=title, status=text, **extra)


def thread_titles(html: str) -> list[str]:
    return re.findall(r'class="thread-entry-title"><a href="[^"]+">([^<]+)</a>', html)


async def test_web_groups_directory_filters_by_specialty(app, client):
    await make_group(app, "heart", "Heart failure", specialties=[CARDIOLOGY], description="HFrEF and HFpEF")
    await make_group(app, "peds", "Paediatric ED", specialties=[PAEDIATRICS], join="verified")
    await make_group(app, "staff", "Staff room", members_only=True)
    await member_session(app, client, "alice")
    everything = await client.get("/groups")
    assert everything.status_code == 200
    for shown in ("Heart failure", "HFrEF and HFpEF", "Paediatric ED", "Staff room", "Members only",
                  "Verified clinicians may join", "Cardiovascular Disease"):
        assert shown in everything.text, shown
    cardiology = await client.get("/groups", params={"specialty": CARDIOLOGY})
    assert "Heart failure" in cardiology.text and "Paediatric ED" not in cardiology.text
    assert f'<option value="{CARDIOLOGY}" selected>' in cardiology.text
    assert (await client.get("/groups", params={"specialty": "nonsense"})).status_code == 404
    async with client_of(app) as visitor:
        seen = await visitor.get("/groups")
        assert "Heart failure" in seen.text and "Staff room" not in seen.text


async def test_web_groups_page_negotiates_and_lists_threads_by_latest_activity(app, client):
    await make_group(app, specialties=[CARDIOLOGY])
    await member_session(app, client, "alice")
    assert (await start_thread(client, "heart", "SGLT2 in HFpEF", "Anyone using them?")).status_code == 303
    assert (await start_thread(client, "heart", "Journal club", "This week: DAPA-HF")).status_code == 303
    page = await client.get("/groups/heart")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    assert thread_titles(page.text) == ["Journal club", "SGLT2 in HFpEF"]
    assert (await client.get("/groups/heart", headers=AP)).json()["type"] == "Group"
    first = re.search(r'href="/groups/heart/threads/(\d+)">SGLT2', page.text).group(1)
    answered = await post_form(client, f"/groups/heart/threads/{first}", f"/groups/heart/threads/{first}/reply",
                               status="Yes, in most", in_reply_to_id=first)
    assert answered.status_code == 303
    page = await client.get("/groups/heart")
    assert thread_titles(page.text) == ["SGLT2 in HFpEF", "Journal club"]  # the newest activity first
    assert "1 reply" in page.text and "0 replies" in page.text


async def test_web_groups_join_leave_pending_and_refusal_reason(app, client):
    await make_group(app, "heart", "Heart")
    await make_group(app, "club", "Journal club", join="approval")
    await make_group(app, "peds", "Paediatric ED", join="verified")
    await member_session(app, client, "alice")
    joined = await post_form(client, "/groups/heart", "/groups/heart/join")
    assert joined.status_code == 303 and joined.headers["location"] == "/groups/heart"
    assert "You are a member of this group." in (await client.get("/groups/heart")).text
    assert (await post_form(client, "/groups/heart", "/groups/heart/leave")).status_code == 303
    assert "Join the group" in (await client.get("/groups/heart")).text
    assert (await post_form(client, "/groups/club", "/groups/club/join")).status_code == 303
    assert "awaits an answer from the group" in (await client.get("/groups/club")).text
    refused = await post_form(client, "/groups/peds", "/groups/peds/join")
    assert refused.status_code == 403
    assert "only verified clinicians may join" in refused.text and "not verified here" in refused.text
    no_token = await client.post("/groups/heart/join", data={})
    assert no_token.status_code == 403


async def test_web_groups_start_thread_through_the_guard_warn_then_confirm(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    checked = await start_thread(client, "heart", "Odd ECG", PHI_TEXT)
    assert checked.status_code == 422
    assert ("MRN or record number", "4482913") in MARK.findall(checked.text)
    assert 'name="phi_confirmed" value="1"' in checked.text and "Post anyway" in checked.text
    assert 'value="Odd ECG"' in checked.text  # the form keeps what was typed
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post.id))).scalars().all() == []
    confirmed = await post_form(client, "/groups/heart", "/groups/heart/threads", title="Odd ECG", status=PHI_TEXT,
                                phi_confirmed="1")
    assert confirmed.status_code == 303
    async with app.state.sessions() as session:
        row = (await session.execute(select(GroupPost))).scalar_one()
    assert row.title == "Odd ECG" and row.thread_id == row.post_id
    assert confirmed.headers["location"] == f"/groups/heart/threads/{row.post_id}"
    shown = await client.get(confirmed.headers["location"])
    assert "<h1>Odd ECG</h1>" in shown.text


async def test_web_groups_refuses_an_empty_title_and_a_thread_from_a_non_member(app, client):
    await make_group(app, join="approval")
    await member_session(app, client, "alice")
    untitled = await start_thread(client, "heart", "  ", "text")
    assert untitled.status_code == 422 and "needs a title" in untitled.text
    refused = await start_thread(client, "heart", "Hello", "text")
    assert refused.status_code == 403 and "a moderator approves each member" in refused.text


async def test_web_groups_thread_page_nests_replies(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    started = await start_thread(client, "heart", "Digoxin levels", "When do you check them?")
    thread = started.headers["location"]
    first = thread.rsplit("/", 1)[1]
    await post_form(client, thread, thread + "/reply", status="At steady state", in_reply_to_id=first)
    async with app.state.sessions() as session:
        reply_id = (await session.execute(select(Post.id).where(Post.in_reply_to_id == int(first)))).scalar_one()
    page = await client.get(f"{thread}?reply_to={reply_id}")
    assert 'name="in_reply_to_id" value="%s"' % reply_id in page.text  # the form answers the reply asked for
    await post_form(client, f"{thread}?reply_to={reply_id}", thread + "/reply", status="And after a dose change",
                    in_reply_to_id=str(reply_id))
    page = (await client.get(thread)).text
    assert "2 replies" in page
    outer = page.index('class="reply-node depth-1"')
    inner = page.index('class="reply-node depth-2"')
    assert outer < page.index("At steady state") < inner < page.index("And after a dose change")
    stranger = await post_form(client, thread, thread + "/reply", status="x", in_reply_to_id="12345")
    assert stranger.status_code == 422 and "not in this thread" in stranger.text


def test_web_groups_nesting_is_capped():
    posts, parent = [], 1
    for n in range(2, MAX_DEPTH + 4):
        posts.append(Post(id=n, in_reply_to_id=parent))
        parent = n
    tree, depths = nest(1, posts), []
    while tree:
        depths.append(tree[0].depth)
        tree = tree[0].children + tree[1:]
    assert max(depths) == MAX_DEPTH and len(depths) == len(posts)


async def test_web_groups_reply_through_the_guard(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    thread = (await start_thread(client, "heart", "Case", "A question")).headers["location"]
    first = thread.rsplit("/", 1)[1]
    checked = await post_form(client, thread, thread + "/reply", status=PHI_TEXT, in_reply_to_id=first)
    assert checked.status_code == 422 and ("MRN or record number", "4482913") in MARK.findall(checked.text)
    assert "Post anyway" in checked.text
    async with app.state.sessions() as session:
        assert len((await session.execute(select(Post.id).where(Post.boost_of_id.is_(None)))).scalars().all()) == 1


async def test_web_groups_members_only_group_is_invisible_to_visitors(app, client):
    await open_to_visitors(app)  # visitors may read public posts: what hides the group is its being members-only
    await make_group(app, "staff", "Staff room", members_only=True)
    await make_group(app, "heart", "Heart")
    await member_session(app, client, "alice")
    thread = (await start_thread(client, "staff", "Rota swaps", "Secret staff matter")).headers["location"]
    public = (await start_thread(client, "heart", "Open question", "Public matter")).headers["location"]
    assert "Secret staff matter" in (await client.get(thread)).text
    async with app.state.sessions() as session:
        post = (await session.execute(select(Post).where(Post.source.contains("Secret")))).scalar_one()
    assert (post.visibility, post.local_only) == ("local", True)
    async with client_of(app) as visitor:
        assert "Staff room" not in (await visitor.get("/groups")).text
        for path in ("/groups/staff", thread, "/groups/staff/threads"):
            answer = await visitor.get(path)
            assert answer.status_code in (404, 405) and "Secret" not in answer.text and "Rota" not in answer.text
        assert (await visitor.get("/groups/staff", headers=AP)).status_code == 404
        assert "Public matter" in (await visitor.get(public)).text  # a federated group's thread is readable


async def test_web_groups_closed_community_shows_visitors_no_threads(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    thread = (await start_thread(client, "heart", "Members' talk", "Only for members")).headers["location"]
    async with client_of(app) as visitor:
        page = await visitor.get("/groups/heart")
        assert page.status_code == 200 and "Members&#39; talk" not in page.text and "Log in" in page.text
        assert (await visitor.get(thread)).status_code == 404


async def remote_post(session, author: Actor, n: int, **fields) -> Post:
    """A post stored as the inbox stores one from elsewhere."""
    uri = f"https://{author.domain}/post/{n}"
    row = Post(id=snowflake(), uri=uri, url=uri, author_id=author.id, local=False, visibility="public",
               content_html=fields.pop("content", ""), to=[PUBLIC], cc=[], published=utcnow(), **fields)
    session.add(row)
    await session.flush()
    return row


async def test_web_groups_remote_group_read_through_our_copies(app, client):
    await member_session(app, client, "alice")
    async with app.state.sessions() as session:
        alice = (await session.execute(select(Actor).where(Actor.username == "alice"))).scalar_one()
        group = await factories.remote_actor(session, "cardio", "lemmy.example")
        group.actor_type, group.display_name = "Group", "Cardiology (Lemmy)"
        author = await factories.remote_actor(session, "bob", "lemmy.example")
        await factories.follow(session, alice, group)
        first = await remote_post(session, author, 1, content="<p><strong>AF ablation</strong></p><p>First?</p>")
        reply = await remote_post(session, author, 2, content="<p>Ablation first</p>", in_reply_to_id=first.id,
                                  in_reply_to_uri=first.uri)
        await remote_post(session, group, 3, boost_of_id=first.id)  # the Lemmy community's Announce of it
        await session.commit()
    listed = await client.get("/groups")
    assert "Cardiology (Lemmy)" in listed.text and "/groups/cardio@lemmy.example" in listed.text
    page = await client.get("/groups/cardio@lemmy.example")
    assert page.status_code == 200 and "AF ablation" in page.text and "Hosted on lemmy.example" in page.text
    shown = await client.get(f"/groups/cardio@lemmy.example/threads/{first.id}")
    assert shown.status_code == 200 and "<h1>AF ablation</h1>" in shown.text and "Ablation first" in shown.text
    assert (await client.get(f"/groups/cardio@lemmy.example/threads/{reply.id}")).status_code == 404
    async with client_of(app) as visitor:
        assert (await visitor.get("/groups/cardio@lemmy.example")).status_code == 404


async def test_web_groups_bad_addresses_are_4xx_never_500(app, client):
    await make_group(app)
    await member_session(app, client, "alice")
    for path in ("/groups/heart/threads/abc", "/groups/heart/threads/99999999999999999999999", "/groups/nobody",
                 "/groups/a@b@c", "/groups/heart/threads/1", "/groups?specialty=%00", "/groups/heart%00"):
        answer = await client.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    for action in ("/groups/nobody/join", "/groups/heart/threads/1/reply", "/groups/nobody/threads"):
        answer = await post_form(client, "/groups/heart", action, title="t", status="x")
        assert answer.status_code == 404, (action, answer.status_code)


@pytest.mark.parametrize("policy", ["hold", "block"])
async def test_web_groups_thread_held_or_refused_as_compose_is(settings, policy):
    async with phi_policy_app(settings, policy) as policy_app, client_of(policy_app) as client:
        await make_group(policy_app)
        await member_session(policy_app, client, "alice")
        answer = await start_thread(client, "heart", "Odd ECG", PHI_TEXT, phi_confirmed="1")
        async with policy_app.state.sessions() as session:
            posts = (await session.execute(select(Post.visibility))).scalars().all()
    if policy == "hold":
        assert answer.status_code == 202 and "awaits review" in answer.text and posts == ["held"]
    else:
        assert answer.status_code == 422 and 'name="phi_confirmed"' not in answer.text and posts == []
        assert ("MRN or record number", "4482913") in MARK.findall(answer.text)
