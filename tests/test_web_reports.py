"""Reporting from the web (/statuses/{id}/report, /accounts/{id}/report): the report the moderators get,
the anonymous Flag sent only when the member asks, and what the pages offer."""
from __future__ import annotations

import json

from sqlalchemy import select

from server.db.models import Actor, Delivery, Post, Report
from server.services.instance import site
from tests.support import factories
from tests.support.members import member
from tests.support.web import csrf_of, member_session
from tests.test_web_posts import actor_of, make_post


async def _remote_posts(app) -> tuple[Actor, list[Post]]:
    """bob@remote.example and two of his public posts, as the inbox would have stored them."""
    async with app.state.sessions() as session:
        bob = await factories.remote_actor(session, "bob", "remote.example")
        posts = [Post(id=900 + i, uri=f"https://remote.example/users/bob/statuses/{900 + i}", author_id=bob.id,
                      local=False, visibility="public", content_html=f"<p>Bob's post {i}: patient Jane Doe</p>")
                 for i in (1, 2)]
        session.add_all(posts)
        await session.commit()
    return bob, posts


async def _rules(app, *rules: str) -> None:
    async with app.state.sessions() as session:
        await site.update(session, ["default"], rules=list(rules))
        await session.commit()


async def _deliveries(app) -> list[Delivery]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(Delivery))).scalars())


async def _log_out(client) -> None:
    done = await client.post("/logout", data={"csrf_token": csrf_of((await client.get("/home")).text)})
    assert done.status_code == 303


async def _reports(app) -> list[Report]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(Report).order_by(Report.id))).scalars())


async def test_web_report_of_a_remote_post_forwarded_sends_an_anonymous_flag(app, client):
    await member_session(app, client, "alice")
    bob, (first, second) = await _remote_posts(app)
    thread = await client.get(f"/statuses/{first.id}")
    assert f'href="/statuses/{first.id}/report"' in thread.text
    page = await client.get(f"/statuses/{first.id}/report")
    assert page.status_code == 200 and "anonymous copy to remote.example" in page.text
    assert f'name="status_ids" value="{first.id}" checked' in page.text  # the post reported, ticked already
    assert f'name="status_ids" value="{second.id}">' in page.text  # another recent post, to add if wished
    sent = await client.post(f"/statuses/{first.id}/report", data={
        "csrf_token": csrf_of(page.text), "category": "patient_privacy", "comment": "Names a patient",
        "status_ids": [str(first.id), str(second.id)], "forward": "1"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/statuses/{first.id}/report?sent=forwarded"
    [report] = await _reports(app)
    alice = await actor_of(app, "alice")
    assert (report.reporter_id, report.target_id, report.category) == (alice.id, bob.id, "patient_privacy")
    assert sorted(report.post_ids) == [first.id, second.id] and report.forwarded
    assert report.comment == "Names a patient"
    [delivery] = await _deliveries(app)
    flag = json.loads(delivery.body)
    assert flag["type"] == "Flag" and flag["actor"] == app.state.urls.instance_actor
    assert set(flag["object"]) == {bob.uri, first.uri, second.uri}
    assert delivery.inbox == bob.shared_inbox and "alice" not in delivery.body
    thanks = await client.get(sent.headers["location"])
    assert thanks.status_code == 200 and "An anonymous copy went to remote.example" in thanks.text
    assert f'action="/accounts/{bob.id}/mute"' in thanks.text


async def test_web_report_not_forwarded_stays_here_and_a_rule_violation_names_its_rules(app, client):
    await _rules(app, "Be kind", "No patient identifiers", "No advertising")
    await member_session(app, client, "alice")
    bob, (first, _) = await _remote_posts(app)
    page = await client.get(f"/statuses/{first.id}/report")
    assert "No patient identifiers" in page.text and 'name="rule_ids" value="2"' in page.text
    form = {"csrf_token": csrf_of(page.text), "category": "violation", "status_ids": str(first.id)}
    no_rules = await client.post(f"/statuses/{first.id}/report", data=form)
    assert no_rules.status_code == 422 and "Tick the rules" in no_rules.text
    no_reason = await client.post(f"/statuses/{first.id}/report", data={**form, "category": ""})
    assert no_reason.status_code == 422 and await _reports(app) == []
    sent = await client.post(f"/statuses/{first.id}/report", data={**form, "rule_ids": ["2", "3", "9", "x"]})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?sent=1")
    [report] = await _reports(app)
    assert report.rule_ids == ["2", "3"] and report.category == "other" and not report.forwarded
    assert report.post_ids == [first.id]
    assert await _deliveries(app) == []


async def test_web_report_of_a_local_account_reaches_the_moderators_queue(app, client):
    await member(app, "carol")
    carol = await actor_of(app, "carol")
    spam = await make_post(app, carol, content="<p>Buy my supplements</p>")
    hidden = await make_post(app, carol, "private", content="<p>For my followers</p>")
    await member_session(app, client, "dora")
    profile = await client.get("/@carol")
    assert f'href="/accounts/{carol.id}/report"' in profile.text
    page = await client.get(f"/accounts/{carol.id}/report")
    assert page.status_code == 200 and "Buy my supplements" in page.text
    assert "For my followers" not in page.text and "anonymous copy" not in page.text  # local: nothing to forward
    refused = await client.post(f"/accounts/{carol.id}/report", data={
        "csrf_token": csrf_of(page.text), "category": "spam", "status_ids": str(hidden.id)})
    assert refused.status_code == 422 and "not sent" in refused.text and await _reports(app) == []
    sent = await client.post(f"/accounts/{carol.id}/report", data={
        "csrf_token": csrf_of(page.text), "category": "spam", "status_ids": str(spam.id), "forward": "1"})
    assert sent.status_code == 303
    [report] = await _reports(app)
    assert ((report.target_id, report.category, report.post_ids, report.forwarded)
            == (carol.id, "spam", [spam.id], False))
    await _log_out(client)
    await member_session(app, client, "mod", role="moderator")
    queue = await client.get("/admin/reports")
    assert f'href="/admin/reports/{report.id}"' in queue.text and "@carol" in queue.text


async def test_web_report_pages_hide_what_the_member_may_not_see(app, client):
    await member_session(app, client, "carol")
    carol = await actor_of(app, "carol")
    secret = await make_post(app, carol, "private", content="<p>Followers only</p>")
    mine = await make_post(app, carol, content="<p>Mine</p>")
    own_thread = await client.get(f"/statuses/{mine.id}")
    assert f"/statuses/{mine.id}/report" not in own_thread.text  # no Report on one's own post
    await _log_out(client)
    await member_session(app, client, "dora")
    assert (await client.get(f"/statuses/{secret.id}/report")).status_code == 404
    assert (await client.get("/accounts/999999/report")).status_code == 404
    await _log_out(client)
    assert (await client.get(f"/statuses/{mine.id}/report")).headers["location"].startswith("/login?next=")
