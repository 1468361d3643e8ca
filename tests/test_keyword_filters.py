"""Keyword filters applied as Mastodon 4 applies them: every Status carries the matching filters
(`filtered`), a `hide` filter drops the post in its contexts (home, public, account, thread, notifications,
streams), a `warn` filter leaves it to the app; expired filters do nothing."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from server.db.models import KeywordFilter
from server.db.poll_json import new_poll, poll_json
from server.db.types import utcnow
from server.services.reading.filter_matching import action_in, keyword_pattern, post_text
from tests.support.asgi_streams import EventStream
from tests.support.members import member


def test_keyword_filters_whole_word_only_between_word_boundaries():
    whole = keyword_pattern([("cardio", True)])
    assert whole.search("CARDIO rounds") and whole.search("(cardio).")
    assert not whole.search("echocardiography") and not whole.search("cardiology")
    assert keyword_pattern([("cardio", False)]).search("Echocardiography")
    hashtag = keyword_pattern([("#icu", True)])
    assert hashtag.search("ward#icu today") and not hashtag.search("#icuroom")
    oedema = keyword_pattern([("ödem", True)])
    assert oedema.search("Ein Ödem.") and not oedema.search("Ödeme")
    assert keyword_pattern([("a.b", False)]).search("a.b") and not keyword_pattern([("a.b", False)]).search("axb")
    several = keyword_pattern([("one", True), ("two", True)])
    assert several.search("and two").lastindex == 2


def test_keyword_filters_text_covers_warning_text_poll_and_media():
    text = post_text("CW here", "<p>Body &amp; more<br>line</p><p>next</p>",
                     poll_json(new_poll(("yes", "maybe"), False, utcnow())),
                     [{"description": "an x-ray"}, {"description": None}, "junk"])
    for part in ("CW here", "Body & more", "line", "next", "yes", "maybe", "an x-ray"):
        assert part in text
    assert not keyword_pattern([("morel", False)]).search(text)  # paragraphs and lines stay apart


def test_keyword_filters_hide_wins_and_only_in_its_contexts():
    warn = {"filter": {"filter_action": "warn", "context": ["home", "public"], "title": "w"}}
    hide = {"filter": {"filter_action": "hide", "context": ["public"], "title": "h"}}
    assert action_in([warn, hide], "public") == "hide"
    assert action_in([warn, hide], "home") == "warn"
    assert action_in([warn, hide], "thread") is None
    assert action_in([warn, hide], None) is None and action_in([], "home") is None


@pytest.fixture
async def people(app, client):
    """alice follows bob and carol; carol boosts."""
    alice, bob, carol = await member(app, "alice"), await member(app, "bob"), await member(app, "carol")
    for other in (bob, carol):
        response = await client.post(f"/api/v1/accounts/{other.id}/follow", headers=alice.headers)
        assert response.status_code == 200 and response.json()["following"], response.text
    return alice, bob, carol


async def say(client, who, text: str, **extra) -> dict:
    response = await client.post("/api/v1/statuses", json={"status": text, **extra}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def add_filter(client, who, keyword: str, context: list[str], action: str = "warn", whole_word=True) -> dict:
    response = await client.post("/api/v2/filters", json={
        "title": f"no {keyword}", "context": context, "filter_action": action,
        "keywords_attributes": [{"keyword": keyword, "whole_word": whole_word}]}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def ids(client, who, path: str) -> list[str]:
    response = await client.get(path, headers=who.headers)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_keyword_filters_every_status_carries_the_matching_filters(client, people):
    alice, bob, _ = people
    filtered = await add_filter(client, alice, "finale", ["home"], whole_word=False)
    await add_filter(client, alice, "unrelated", ["home"])
    hit = await say(client, bob, "Tonight: the FINALES of the series")
    miss = await say(client, bob, "Nothing to see")
    shown = (await client.get(f"/api/v1/statuses/{hit['id']}", headers=alice.headers)).json()
    assert shown["filtered"] == [{"filter": {k: filtered[k] for k in ("id", "title", "context", "expires_at",
                                                                       "filter_action")},
                                  "keyword_matches": ["finale"], "status_matches": None}]
    assert (await client.get(f"/api/v1/statuses/{miss['id']}", headers=alice.headers)).json()["filtered"] == []
    assert (await client.get(f"/api/v1/statuses/{hit['id']}", headers=bob.headers)).json()["filtered"] == []
    home = {s["id"]: s for s in (await client.get("/api/v1/timelines/home", headers=alice.headers)).json()}
    assert home[hit["id"]]["filtered"] == shown["filtered"] and home[miss["id"]]["filtered"] == []


async def test_keyword_filters_match_spoiler_text_and_poll_options(client, people):
    alice, bob, _ = people
    await add_filter(client, alice, "outcome", ["public"])
    await add_filter(client, alice, "surgery", ["public"])
    warned = await say(client, bob, "see inside", spoiler_text="Outcome data")
    polled = await say(client, bob, "which?", poll={"options": ["medicine", "surgery"], "expires_in": 3600})
    for post, title in ((warned, "no outcome"), (polled, "no surgery")):
        shown = (await client.get(f"/api/v1/statuses/{post['id']}", headers=alice.headers)).json()
        assert [r["filter"]["title"] for r in shown["filtered"]] == [title]


async def test_keyword_filters_whole_word_keywords_skip_longer_words(client, people):
    alice, bob, _ = people
    await add_filter(client, alice, "cardio", ["home"], "hide", whole_word=True)
    inside = await say(client, bob, "Echocardiography teaching")
    alone = await say(client, bob, "Cardio clinic moved")
    home = await ids(client, alice, "/api/v1/timelines/home")
    assert inside["id"] in home and alone["id"] not in home


async def test_keyword_filters_hide_in_home_only_where_its_contexts_say(client, people):
    alice, bob, _ = people
    await add_filter(client, alice, "finale", ["home"], "hide")
    hidden = await say(client, bob, "the finale")
    kept = await say(client, bob, "something else")
    home = await ids(client, alice, "/api/v1/timelines/home")
    assert kept["id"] in home and hidden["id"] not in home
    public = (await client.get("/api/v1/timelines/public", headers=alice.headers)).json()
    shown = next(s for s in public if s["id"] == hidden["id"])  # not hidden there: warned about by the app
    assert shown["filtered"][0]["filter"]["filter_action"] == "hide"
    assert hidden["id"] in await ids(client, alice, f"/api/v1/accounts/{bob.id}/statuses")
    assert hidden["id"] in await ids(client, bob, "/api/v1/timelines/home")  # another member's filter


async def test_keyword_filters_warn_never_drops_a_post(client, people):
    alice, bob, _ = people
    await add_filter(client, alice, "finale", ["home", "public", "account", "thread", "notifications"])
    post = await say(client, bob, "@alice the finale")
    for path in ("/api/v1/timelines/home", "/api/v1/timelines/public", f"/api/v1/accounts/{bob.id}/statuses"):
        assert post["id"] in await ids(client, alice, path), path
    notes = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert notes[0]["status"]["id"] == post["id"] and notes[0]["status"]["filtered"]


async def test_keyword_filters_hide_in_public_account_thread_and_notifications(client, people):
    alice, bob, _ = people
    root = await say(client, bob, "root post")
    reply = await say(client, bob, "@alice spoiler ahead", in_reply_to_id=root["id"])
    plain = await say(client, bob, "@alice plain reply", in_reply_to_id=root["id"])
    paths = {"public": "/api/v1/timelines/public", "account": f"/api/v1/accounts/{bob.id}/statuses"}
    for context, path in paths.items():
        await add_filter(client, alice, "spoiler", [context], "hide")
        listed = await ids(client, alice, path)
        assert reply["id"] not in listed and plain["id"] in listed, context
    thread = (await client.get(f"/api/v1/statuses/{root['id']}/context", headers=alice.headers)).json()
    assert [s["id"] for s in thread["descendants"]] == [reply["id"], plain["id"]]
    await add_filter(client, alice, "spoiler", ["thread"], "hide")
    thread = (await client.get(f"/api/v1/statuses/{root['id']}/context", headers=alice.headers)).json()
    assert [s["id"] for s in thread["descendants"]] == [plain["id"]]
    notified = [n["status"]["id"] for n in (await client.get("/api/v1/notifications", headers=alice.headers)).json()]
    assert reply["id"] in notified
    await add_filter(client, alice, "spoiler", ["notifications"], "hide")
    notified = [n["status"]["id"] for n in (await client.get("/api/v1/notifications", headers=alice.headers)).json()]
    assert notified == [plain["id"]]
    # asked for by its id, a post is never hidden: it says which filters matched
    shown = (await client.get(f"/api/v1/statuses/{reply['id']}", headers=alice.headers)).json()
    assert len(shown["filtered"]) == 4


async def test_keyword_filters_boosts_are_matched_by_their_original(client, people):
    alice, bob, carol = people
    original = await say(client, bob, "the finale")
    await client.post(f"/api/v1/statuses/{original['id']}/reblog", headers=carol.headers)
    await add_filter(client, alice, "finale", ["home"])
    home = (await client.get("/api/v1/timelines/home", headers=alice.headers)).json()
    boost = next(s for s in home if s["reblog"] is not None)
    assert boost["filtered"] and boost["reblog"]["filtered"] == boost["filtered"]
    for web_rendered in (await client.get(f"/api/v1/accounts/{carol.id}/statuses", headers=alice.headers)).json():
        assert web_rendered["reblog"]["filtered"] == boost["filtered"]
    await add_filter(client, alice, "finale", ["home"], "hide")
    home = await ids(client, alice, "/api/v1/timelines/home")
    assert boost["id"] not in home and original["id"] not in home


async def test_keyword_filters_expired_filters_do_nothing(app, client, people):
    alice, bob, _ = people
    made = await add_filter(client, alice, "finale", ["home"], "hide")
    post = await say(client, bob, "the finale")
    assert post["id"] not in await ids(client, alice, "/api/v1/timelines/home")
    async with app.state.sessions() as session:
        await session.execute(update(KeywordFilter).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    assert post["id"] in await ids(client, alice, "/api/v1/timelines/home")
    assert (await client.get(f"/api/v1/statuses/{post['id']}", headers=alice.headers)).json()["filtered"] == []
    assert [f["id"] for f in (await client.get("/api/v2/filters", headers=alice.headers)).json()] == [made["id"]]


async def test_keyword_filters_filtered_status_hides_the_post_itself(client, people):
    alice, bob, _ = people
    post = await say(client, bob, "an ordinary post")
    made = await add_filter(client, alice, "zzz", ["home"], "hide")
    await client.post(f"/api/v2/filters/{made['id']}/statuses", json={"status_id": post["id"]}, headers=alice.headers)
    assert post["id"] not in await ids(client, alice, "/api/v1/timelines/home")


def _token(member) -> str:
    return member.headers["authorization"].split(" ", 1)[1]


async def test_keyword_filters_streams_leave_out_what_hide_filters_hide(app, client, people):
    alice, bob, _ = people
    await add_filter(client, alice, "finale", ["home"], "hide")
    await add_filter(client, alice, "ending", ["public"], "hide")
    async with EventStream(app, "/api/v1/streaming/user", _token(alice)) as home, \
            EventStream(app, "/api/v1/streaming/public", _token(alice)) as public:
        finale = await say(client, bob, "the finale")
        ending = await say(client, bob, "the ending")
        plain = await say(client, bob, "plain")
        home_ids = [json.loads((await home.next())[1])["id"] for _ in range(2)]
        public_ids = [json.loads((await public.next())[1])["id"] for _ in range(2)]
    assert home_ids == [ending["id"], plain["id"]]
    assert public_ids == [finale["id"], plain["id"]]


async def test_keyword_filters_changes_are_streamed_to_the_member(app, client, people):
    alice, _, _ = people
    async with EventStream(app, "/api/v1/streaming/user", _token(alice)) as stream:
        await add_filter(client, alice, "finale", ["home"])
        event, _ = await stream.next()
    assert event == "filters_changed"
