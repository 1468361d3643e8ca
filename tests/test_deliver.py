"""Delivery to an inbox: real loopback servers answering with each kind of status."""
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from loopback_server import Reply, never, serve

from federation.deliver import (
    MAX_RETRY_AFTER,
    DeliveryOutcome,
    Outcome,
    classify,
    parse_retry_after,
    post_activity,
)
from federation.netguard import make_client

pytestmark = pytest.mark.anyio  # see tests/test_fetch.py
BODY = b'{"type": "Create", "id": "https://here.example/activities/1"}'


def answer(reply: Reply):
    async def handler(request):
        return reply

    return handler


async def deliver(url: str, *, sign=None, allow_private=True, client=None, timeout=2.0):
    own = client is None
    client = client or make_client(allow_private=allow_private)
    try:
        return await post_activity(
            client, url, BODY, sign, allow_http=True, allow_private=allow_private, timeout=timeout
        )
    finally:
        if own:
            await client.aclose()


async def test_deliver_2xx_is_delivered_with_body_and_content_type():
    async with serve(answer(Reply(202))) as server:
        outcome = await deliver(server.url("/inbox"))
    assert outcome == DeliveryOutcome(Outcome.DELIVERED, 202)
    request = server.requests[0]
    assert (request.method, request.target, request.body) == ("POST", "/inbox", BODY)
    assert request.headers["content-type"] == "application/activity+json"


async def test_deliver_sign_callback_gets_request_and_its_headers_are_sent():
    calls = []

    def sign(method, url, headers, body):
        calls.append((method, url, body))
        assert headers["Content-Type"] == "application/activity+json"
        return {**headers, "Signature": 'keyId="https://here.example/actor#main-key"'}

    async with serve(answer(Reply(200))) as server:
        await deliver(server.url("/inbox"), sign=sign)
    assert calls == [("POST", server.url("/inbox"), BODY)]
    assert server.requests[0].headers["signature"] == 'keyId="https://here.example/actor#main-key"'


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (410, Outcome.GONE),
        (408, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (400, Outcome.REJECTED),
        (401, Outcome.REJECTED),
        (403, Outcome.REJECTED),
        (404, Outcome.REJECTED),
        (422, Outcome.REJECTED),
    ],
)
async def test_deliver_status_maps_to_outcome(status, outcome):
    async with serve(answer(Reply(status))) as server:
        result = await deliver(server.url("/inbox"))
    assert (result.outcome, result.status) == (outcome, status)


async def test_deliver_429_honours_retry_after_seconds():
    async with serve(answer(Reply(429, {"Retry-After": "120"}))) as server:
        result = await deliver(server.url("/inbox"))
    assert (result.outcome, result.retry_after) == (Outcome.RETRY, 120.0)


async def test_deliver_503_honours_retry_after_date():
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=300), usegmt=True)
    async with serve(answer(Reply(503, {"Retry-After": when}))) as server:
        result = await deliver(server.url("/inbox"))
    assert result.outcome is Outcome.RETRY
    assert 295 <= result.retry_after <= 300


async def test_deliver_does_not_follow_redirects():
    async with serve(answer(Reply(307, {"Location": "/elsewhere"}))) as server:
        result = await deliver(server.url("/inbox"))
    assert (result.outcome, result.status) == (Outcome.REJECTED, 307)
    assert [r.target for r in server.requests] == ["/inbox"]


async def test_deliver_timeout_is_retry():
    async with serve(never) as server:
        started = time.monotonic()
        result = await deliver(server.url("/inbox"), timeout=0.3)
    assert result.outcome is Outcome.RETRY
    assert "timed out" in result.reason
    assert time.monotonic() - started < 2


async def test_deliver_connection_refused_is_retry():
    async with serve(answer(Reply(200))) as server:
        url = server.url("/inbox")
    result = await deliver(url)  # the server is closed now
    assert result.outcome is Outcome.RETRY
    assert "network error" in result.reason


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::ffff:127.0.0.1]"])
async def test_deliver_refuses_loopback_before_connecting(host):
    async with serve(answer(Reply(202))) as server:
        result = await deliver(server.url("/inbox", host=host), allow_private=False)
    assert result.outcome is Outcome.REJECTED
    assert "loopback" in result.reason
    assert server.connections == 0


async def test_deliver_refuses_loopback_with_a_caller_supplied_client():
    async with serve(answer(Reply(202))) as server, httpx.AsyncClient() as client:
        result = await deliver(server.url("/inbox"), allow_private=False, client=client)
    assert result.outcome is Outcome.REJECTED
    assert server.connections == 0


@pytest.mark.parametrize("url", ["ftp://x.example/inbox", "not a url", "https:///inbox"])
async def test_deliver_refuses_unusable_urls(url):
    result = await deliver(url, allow_private=False)
    assert result.outcome is Outcome.REJECTED


async def test_deliver_refuses_http_unless_allowed():
    async with serve(answer(Reply(202))) as server, make_client(allow_private=True) as client:
        result = await post_activity(client, server.url("/inbox"), BODY, None, allow_private=True)
    assert result.outcome is Outcome.REJECTED
    assert server.connections == 0


def test_deliver_classify_retry_after_only_for_retries():
    assert classify(404, "60").retry_after is None
    assert classify(500, "60").retry_after == 60.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("0", 0.0),
        ("9" * 5000, MAX_RETRY_AFTER),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: retry now
    ],
)
def test_deliver_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected
