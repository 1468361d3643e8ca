"""GET /metrics: off unless CURBSIDE_METRICS_TOKEN is set, then only for that bearer token; requests counted by
route template (never the raw path) and status, deliveries by outcome and by host (the busiest only), job latency,
privacy-guard decisions by action, stream connections, and the queues, parked hosts and verification requests read
from the database at scrape time."""
import dataclasses
from datetime import timedelta

import pytest
from loopback_server import Reply, serve
from prometheus_client.parser import text_string_to_metric_families

from server.db.models import Host, InboxItem, VerificationRequest
from server.db.types import utcnow
from server.jobs.deliveries import DeliveryRunner
from server.metrics import HOST_ADMITTED_AFTER, TopHosts, process_metrics
from server.services.federation.delivery import enqueue_activity
from tests.support.api import status
from tests.support.apps import client_of, running_app
from tests.support.asgi_streams import EventStream
from tests.support.fake_remote import create, deliver, drain
from tests.support.members import member

TOKEN = "scraper-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def metrics_app(settings):
    on = dataclasses.replace(settings, metrics_token=TOKEN, allow_http=True, allow_private_addresses=True)
    async with running_app(on) as application:
        yield application


@pytest.fixture
async def metrics_client(metrics_app):
    async with client_of(metrics_app) as c:
        yield c


async def scrape(client) -> dict:
    """{(sample name, frozenset of labels): value}"""
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_are_off_by_default(client):
    assert (await client.get("/metrics", headers=SCRAPER)).status_code == 404


async def test_metrics_need_the_bearer_token(metrics_client):
    assert (await metrics_client.get("/metrics")).status_code == 401
    wrong = await metrics_client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert (await metrics_client.get("/metrics", headers={"Authorization": TOKEN})).status_code == 401


async def test_metrics_count_requests_by_route_template_and_status(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    post = await status(metrics_client, alice, "Journal club at noon")
    before = await scrape(metrics_client)
    route = dict(method="GET", route="/api/v1/statuses/{id}", status="200")
    for _ in range(2):
        await metrics_client.get(f"/api/v1/statuses/{post['id']}", headers=alice.headers)
    await metrics_client.get("/no/such/page/12345")
    response = await metrics_client.get("/metrics", headers=SCRAPER)
    after = await scrape(metrics_client)
    assert value(after, "curbside_http_requests_total", **route) - value(before, "curbside_http_requests_total",
                                                                          **route) == 2
    assert value(after, "curbside_http_request_duration_seconds_count", method="GET",
                 route="/api/v1/statuses/{id}") >= 2
    assert value(after, "curbside_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert post["id"] not in response.text and "12345" not in response.text


async def test_metrics_count_inbox_posts_by_route_template_and_status(metrics_client):
    before = await scrape(metrics_client)
    await metrics_client.post("/inbox", json={"type": "Create"})  # unsigned
    await metrics_client.post("/users/nobody-here/inbox", json={"type": "Create"})
    after = await scrape(metrics_client)
    for route, status_code in (("/inbox", "400"), ("/users/{username}/inbox", "404")):
        labels = dict(method="POST", route=route, status=status_code)
        assert value(after, "curbside_http_requests_total", **labels) - value(
            before, "curbside_http_requests_total", **labels) == 1
    assert "nobody-here" not in (await metrics_client.get("/metrics", headers=SCRAPER)).text


async def test_metrics_read_queues_and_verification_requests_from_the_database(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    async with metrics_app.state.sessions() as session:
        session.add(InboxItem(activity_uri="https://remote.example/a/1", signer="https://remote.example/u",
                              activity={}, next_try_at=utcnow() - timedelta(seconds=100)))
        session.add(VerificationRequest(account_id=alice.actor.account.id, profession="physician",
                                        specialty_code="cardiology", credential_type="license",
                                        credential_number="A123", jurisdiction="CA"))
        await session.commit()
    samples = await scrape(metrics_client)
    assert value(samples, "curbside_queue_jobs", queue="inbox") == 1
    assert value(samples, "curbside_queue_jobs", queue="deliveries") == 0
    assert 100 <= value(samples, "curbside_queue_oldest_due_seconds", queue="inbox") < 200
    assert value(samples, "curbside_verification_requests_pending") == 1


async def test_metrics_count_deliveries_by_outcome(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    runtime = metrics_app.state.runtime
    before = await scrape(metrics_client)
    async def inboxes(request):
        return Reply(410 if request.target == "/gone" else 202)

    async with serve(inboxes) as remote:
        async with runtime.sessions() as session:
            await enqueue_activity(session, {"id": f"{alice.actor.uri}/activities/1", "type": "Create",
                                             "actor": alice.actor.uri}, alice.actor,
                                   inboxes=[remote.url("/inbox"), remote.url("/gone")])
            await session.commit()
        runner = DeliveryRunner()
        await runner.run_once(runtime)
        await runner.wait_idle()
    after = await scrape(metrics_client)
    for outcome in ("delivered", "gone"):
        assert value(after, "curbside_deliveries_total", outcome=outcome) - value(
            before, "curbside_deliveries_total", outcome=outcome) == 1


async def test_metrics_count_privacy_guard_decisions_by_action(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    before = await scrape(metrics_client)
    refused = await metrics_client.post("/api/v1/statuses", headers=alice.headers,
                                        json={"status": "Pt John Smith, DOB 03/14/1961, MRN 4482913"})
    assert refused.status_code == 422
    await status(metrics_client, alice, "Grand rounds moved to Friday")
    after = await scrape(metrics_client)
    for action in ("confirm", "allow"):
        assert value(after, "curbside_phi_decisions_total", action=action) - value(
            before, "curbside_phi_decisions_total", action=action) == 1


async def test_metrics_show_open_stream_connections(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    async with EventStream(metrics_app, "/api/v1/streaming/public", alice.token) as stream:
        assert stream.status == 200
        assert value(await scrape(metrics_client), "curbside_stream_connections") == 1
    assert value(await scrape(metrics_client), "curbside_stream_connections") == 0


def test_metrics_top_hosts_label_the_busiest_hosts_and_stay_bounded():
    hosts = TopHosts(limit=2, admitted_after=3)
    labels = [hosts.label(h) for h in ["quiet.example", "busy.example", "busy.example", "busy.example",
                                       "busy.example", "second.example", "second.example", "second.example",
                                       "third.example", "third.example", "third.example", "third.example"]]
    assert labels == ["other"] * 3 + ["busy.example", "busy.example"] + ["other"] * 2 + ["second.example"] + [
        "other"] * 4  # no label left for the third busy host
    assert hosts.labelled == {"busy.example", "second.example"} and hosts.volumes == {}


async def test_metrics_count_deliveries_by_host_and_their_latency(metrics_app, metrics_client):
    alice = await member(metrics_app, "alice")
    runtime = metrics_app.state.runtime
    process_metrics().hosts.labelled.clear()  # earlier tests' hosts (other ports) must not hold the labels
    before = await scrape(metrics_client)

    async def inboxes(request):
        return Reply(202)

    async with serve(inboxes) as busy, serve(inboxes) as quiet:
        async with runtime.sessions() as session:
            for n in range(HOST_ADMITTED_AFTER + 2):
                await enqueue_activity(session, {"id": f"{alice.actor.uri}/activities/{n}", "type": "Create",
                                                 "actor": alice.actor.uri}, alice.actor,
                                       inboxes=[busy.url("/inbox")] + ([quiet.url("/inbox")] if n == 0 else []))
            await session.commit()
        runner = DeliveryRunner()
        while await runner.run_once(runtime):
            await runner.wait_idle()
        await runner.wait_idle()
        busy_host, quiet_host = busy.url("").split("://")[1].rstrip("/"), quiet.url("").split("://")[1].rstrip("/")
    after = await scrape(metrics_client)

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("curbside_deliveries_by_host_total", host=busy_host, outcome="delivered") == 3
    assert grew("curbside_deliveries_by_host_total", host="other", outcome="delivered") == HOST_ADMITTED_AFTER
    assert value(after, "curbside_deliveries_by_host_total", host=quiet_host, outcome="delivered") == 0
    assert grew("curbside_job_latency_seconds_count", queue="deliveries") == HOST_ADMITTED_AFTER + 3
    assert grew("curbside_job_latency_seconds_bucket", queue="deliveries", le="+Inf") == HOST_ADMITTED_AFTER + 3


async def test_metrics_inbox_job_latency_after_an_activity_is_processed(metrics_app, metrics_client, remote):
    before = await scrape(metrics_client)
    author = remote.actor("rhea")
    assert (await deliver(metrics_client, author, create(remote.note(author, 1)))).status_code == 202
    assert await drain(metrics_app) == 1
    after = await scrape(metrics_client)
    assert value(after, "curbside_job_latency_seconds_count", queue="inbox") - value(
        before, "curbside_job_latency_seconds_count", queue="inbox") == 1
    assert value(after, "curbside_job_latency_seconds_sum", queue="inbox") - value(
        before, "curbside_job_latency_seconds_sum", queue="inbox") < 60  # this one activity, not the suite's


async def test_metrics_show_parked_hosts(metrics_app, metrics_client):
    async with metrics_app.state.sessions() as session:
        session.add(Host(domain="down.example", failures=9, unavailable_since=utcnow()))
        session.add(Host(domain="up.example", failures=0))
        await session.commit()
    assert value(await scrape(metrics_client), "curbside_parked_hosts") == 1
