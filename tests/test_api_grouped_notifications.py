"""Mastodon 4.3's grouped notifications (/api/v2/notifications) and notification policy: groups of favourites,
boosts and follows, paging, one group, its accounts, dismissing it, the unread count, and what a policy sets
aside or drops."""
import json
from datetime import datetime, timedelta, timezone

from server.services.reading.notification_groups import group_key_for
from tests.support.api import check_auth, status
from tests.support.asgi_streams import EventStream
from tests.support.members import member, token

GROUP_FIELDS = {"group_key", "notifications_count", "type", "most_recent_notification_id", "page_min_id",
                "page_max_id", "latest_page_notification_at", "sample_account_ids"}


async def _favourite(client, who, post):
    assert (await client.post(f"/api/v1/statuses/{post['id']}/favourite", headers=who.headers)).status_code == 200


async def _groups(client, who, **params) -> dict:
    response = await client.get("/api/v2/notifications", params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_grouped_notifications_group_favourites_of_one_post(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "grand rounds at noon")
    await _favourite(client, bob, post)
    await _favourite(client, carol, post)
    mention = await status(client, bob, "@alice see you there")
    body = await _groups(client, alice)
    assert set(body) == {"accounts", "statuses", "notification_groups"}
    mentioned, favourites = body["notification_groups"]
    assert GROUP_FIELDS <= set(favourites) and favourites["type"] == "favourite"
    assert favourites["notifications_count"] == 2 and favourites["status_id"] == post["id"]
    assert favourites["sample_account_ids"] == [str(carol.id), str(bob.id)]
    assert mentioned["type"] == "mention" and mentioned["group_key"] == f"ungrouped-{mentioned['page_max_id']}"
    assert mentioned["notifications_count"] == 1 and mentioned["status_id"] == mention["id"]
    assert {a["id"] for a in body["accounts"]} == {str(bob.id), str(carol.id)}
    assert {s["id"] for s in body["statuses"]} == {post["id"], mention["id"]}
    v1 = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert [n["group_key"] for n in v1] == [mentioned["group_key"]] + [favourites["group_key"]] * 2  # one by one


async def test_grouped_notifications_grouped_types_and_filters(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "journal club")
    await _favourite(client, bob, post)
    await _favourite(client, carol, post)
    apart = await _groups(client, alice, **{"grouped_types[]": "follow"})
    assert [g["group_key"].startswith("ungrouped-") for g in apart["notification_groups"]] == [True, True]
    only_bob = await _groups(client, alice, account_id=str(bob.id))
    assert [g["sample_account_ids"] for g in only_bob["notification_groups"]] == [[str(bob.id)]]
    assert (await _groups(client, alice, **{"types[]": "mention"}))["notification_groups"] == []
    assert (await _groups(client, alice, **{"exclude_types[]": "favourite"}))["notification_groups"] == []


async def test_grouped_notifications_page_by_groups_with_link_headers(app, client, alice, bob):
    carol = await member(app, "carol")
    first, second = await status(client, alice, "one"), await status(client, alice, "two")
    for post in (first, second):
        await _favourite(client, bob, post)
        await _favourite(client, carol, post)
    page = await client.get("/api/v2/notifications", params={"limit": 1}, headers=alice.headers)
    [newest] = page.json()["notification_groups"]
    assert newest["status_id"] == second["id"] and newest["notifications_count"] == 2
    assert 'rel="next"' in page.headers["link"] and 'rel="prev"' in page.headers["link"]
    older = await client.get(page.headers["link"].split(">")[0].lstrip("<"), headers=alice.headers)
    [oldest] = older.json()["notification_groups"]
    assert oldest["status_id"] == first["id"] and oldest["notifications_count"] == 2
    newer = await client.get("/api/v2/notifications", params={"min_id": oldest["page_max_id"]},
                             headers=alice.headers)
    assert [g["status_id"] for g in newer.json()["notification_groups"]] == [second["id"]]


async def test_grouped_notifications_partial_avatars(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "case conference")
    await _favourite(client, bob, post)
    await _favourite(client, carol, post)
    body = await _groups(client, alice, expand_accounts="partial_avatars")
    assert [a["id"] for a in body["accounts"]] == [str(carol.id)]  # the group's newest account in full
    [partial] = body["partial_accounts"]
    assert partial["id"] == str(bob.id)
    assert set(partial) == {"id", "acct", "url", "avatar", "avatar_static", "locked", "bot"}
    wrong = await client.get("/api/v2/notifications", params={"expand_accounts": "some"}, headers=alice.headers)
    assert wrong.status_code == 422


async def test_grouped_notifications_one_group_its_accounts_and_dismissing_it(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "ward round")
    await _favourite(client, bob, post)
    await _favourite(client, carol, post)
    [group] = (await _groups(client, alice))["notification_groups"]
    key = group["group_key"]
    shown = await client.get(f"/api/v2/notifications/{key}", headers=alice.headers)
    assert shown.status_code == 200 and shown.json()["notification_groups"][0]["notifications_count"] == 2
    accounts = await client.get(f"/api/v2/notifications/{key}/accounts", headers=alice.headers)
    assert [a["id"] for a in accounts.json()] == [str(carol.id), str(bob.id)]
    assert (await client.get(f"/api/v2/notifications/{key}", headers=bob.headers)).status_code == 404
    assert (await client.post(f"/api/v2/notifications/{key}/dismiss", headers=bob.headers)).status_code == 200
    assert len((await _groups(client, alice))["notification_groups"]) == 1  # another's dismissal changes nothing
    assert (await client.post(f"/api/v2/notifications/{key}/dismiss", headers=alice.headers)).status_code == 200
    assert (await _groups(client, alice))["notification_groups"] == []
    assert (await client.get("/api/v1/notifications", headers=alice.headers)).json() == []
    assert (await client.get(f"/api/v2/notifications/{key}", headers=alice.headers)).status_code == 404
    assert (await client.get("/api/v2/notifications/" + "x" * 200, headers=alice.headers)).status_code == 404


async def test_grouped_notifications_unread_count_counts_groups_after_the_marker(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "morbidity and mortality")
    await _favourite(client, bob, post)
    [group] = (await _groups(client, alice))["notification_groups"]
    saved = await client.post("/api/v1/markers", json={"notifications": {"last_read_id": group["page_max_id"]}},
                              headers=alice.headers)
    assert saved.status_code == 200
    await _favourite(client, carol, post)
    await status(client, carol, "@alice a question")
    await status(client, bob, "@alice another")
    counted = await client.get("/api/v2/notifications/unread_count", headers=alice.headers)
    assert counted.json() == {"count": 3}  # carol's favourite (same group as bob's), two mentions
    capped = await client.get("/api/v2/notifications/unread_count", params={"limit": 2}, headers=alice.headers)
    assert capped.json() == {"count": 2}


async def test_grouped_notifications_hide_blocked_senders(app, client, alice, bob):
    carol = await member(app, "carol")
    post = await status(client, alice, "tumour board")
    await _favourite(client, bob, post)
    await _favourite(client, carol, post)
    assert (await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)).status_code == 200
    [group] = (await _groups(client, alice))["notification_groups"]
    assert group["sample_account_ids"] == [str(carol.id)] and group["notifications_count"] == 1


async def test_grouped_notifications_need_the_notifications_scope(app, client, alice):
    wrong = await token(app, alice, "read:accounts")
    for path in ("/api/v2/notifications", "/api/v2/notifications/unread_count", "/api/v2/notifications/policy",
                 "/api/v2/notifications/ungrouped-1", "/api/v2/notifications/ungrouped-1/accounts"):
        await check_auth(client, "GET", path, wrong)
    await check_auth(client, "POST", "/api/v2/notifications/ungrouped-1/dismiss", wrong)
    await check_auth(client, "PATCH", "/api/v2/notifications/policy", wrong, json={})


async def test_notification_groups_span_at_most_twelve_hours(session, alice):
    start = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    first = await group_key_for(session, "favourite", alice.id, 42, start)
    assert first == f"favourite-42-{int(start.timestamp()) // 3600}"
    from server.db.ids import snowflake
    from server.db.models import Notification

    session.add(Notification(id=snowflake(), recipient_id=alice.id, type="favourite", from_actor_id=alice.id,
                             post_id=None, group_key=first))
    await session.flush()
    assert await group_key_for(session, "favourite", alice.id, 42, start + timedelta(hours=11)) == first
    assert await group_key_for(session, "favourite", alice.id, 42, start + timedelta(hours=12)) != first
    assert await group_key_for(session, "favourite", alice.id, 43, start) != first
    assert await group_key_for(session, "mention", alice.id, 42, start) is None


# -- the notification policy ------------------------------------------------------------------------------------

async def test_notification_policy_has_mastodons_shape_and_defaults(client, alice):
    policy = (await client.get("/api/v2/notifications/policy", headers=alice.headers)).json()
    assert policy == {"for_not_following": "accept", "for_not_followers": "accept", "for_new_accounts": "accept",
                      "for_private_mentions": "accept", "for_limited_accounts": "filter",
                      "summary": {"pending_requests_count": 0, "pending_notifications_count": 0}}


async def test_notification_policy_accepts_private_mentions_unless_told_to_filter_those_from_strangers(
        client, alice, bob):
    await status(client, bob, "@alice first", visibility="direct")
    assert [g["type"] for g in (await _groups(client, alice))["notification_groups"]] == ["mention"]
    await client.patch("/api/v2/notifications/policy", json={"for_private_mentions": "filter"}, headers=alice.headers)
    await client.post("/api/v1/notifications/clear", headers=alice.headers)
    await status(client, bob, "@alice about our patient", visibility="direct")
    assert (await _groups(client, alice))["notification_groups"] == []
    assert (await client.get("/api/v1/notifications", headers=alice.headers)).json() == []
    kept = await _groups(client, alice, include_filtered="true")
    assert [g["type"] for g in kept["notification_groups"]] == ["mention"]
    policy = (await client.get("/api/v2/notifications/policy", headers=alice.headers)).json()
    assert policy["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 1}
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await status(client, bob, "@alice now you follow me", visibility="direct")
    assert [g["type"] for g in (await _groups(client, alice))["notification_groups"]] == ["mention"]


async def test_notification_policy_drop_and_filter_as_changed(client, alice, bob):
    changed = await client.patch("/api/v2/notifications/policy", json={"for_not_following": "drop"},
                                 headers=alice.headers)
    assert changed.status_code == 200 and changed.json()["for_not_following"] == "drop"
    assert changed.json()["for_private_mentions"] == "accept"  # the others keep their value
    post = await status(client, alice, "hello")
    await _favourite(client, bob, post)
    assert (await _groups(client, alice, include_filtered="true"))["notification_groups"] == []
    await client.patch("/api/v2/notifications/policy", data={"for_not_following": "filter"}, headers=alice.headers)
    await client.post(f"/api/v1/statuses/{post['id']}/reblog", headers=bob.headers)
    assert (await _groups(client, alice))["notification_groups"] == []
    assert [g["type"] for g in (await _groups(client, alice, include_filtered="1"))["notification_groups"]] == [
        "reblog"]
    refused = await client.patch("/api/v2/notifications/policy", json={"for_new_accounts": "maybe"},
                                 headers=alice.headers)
    assert refused.status_code == 422 and "for_new_accounts" in refused.text


async def test_notification_policy_filtered_notifications_are_not_streamed(app, client, alice, bob):
    await client.patch("/api/v2/notifications/policy", json={"for_private_mentions": "filter"}, headers=alice.headers)
    async with EventStream(app, "/api/v1/streaming/user/notification", alice.token) as stream:
        await status(client, bob, "@alice a private word", visibility="direct")  # filtered: a stranger's
        await status(client, bob, "@alice in public")
        event, data = await stream.next()
    assert event == "notification" and "in public" in json.loads(data)["status"]["content"]


def test_notification_policy_never_filters_what_the_instance_sends():
    from moderation.notification_policy import ACCEPT, DROP, FILTER, Sender, decide

    stranger = Sender(followed=False, follower=False, new=True, limited=True, private_mention=True)
    strict = dict.fromkeys(("for_not_following", "for_not_followers", "for_new_accounts", "for_private_mentions",
                            "for_limited_accounts"), DROP)
    assert decide(strict, "mention", stranger) == DROP
    assert decide({**strict, "for_not_following": FILTER, "for_not_followers": FILTER, "for_new_accounts": FILTER,
                   "for_limited_accounts": FILTER, "for_private_mentions": FILTER}, "mention", stranger) == FILTER
    for kind in ("poll", "update", "moderation_warning", "curbside.verification"):
        assert decide(strict, kind, stranger) == ACCEPT
    assert decide(strict, "mention", Sender(False, False, True, True, True, staff=True)) == ACCEPT
    friend = Sender(followed=True, follower=True, new=False, limited=True, private_mention=True)
    assert decide({"for_limited_accounts": DROP, "for_private_mentions": DROP}, "mention", friend) == ACCEPT
