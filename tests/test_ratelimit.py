"""Rate limits: budgets per token or IP in fixed windows, X-RateLimit-* headers, 429 beyond."""
from dataclasses import replace
from datetime import datetime

import httpx

from server.app import create_app
from server.ratelimit import RateLimiter, caller_key, mastodon_rules


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_ratelimit_budget_refuses_beyond_and_resets_with_the_window():
    clock = Clock()
    limiter = RateLimiter(mastodon_rules(3), clock)
    verdicts = [limiter.check("GET", "/api/v1/timelines/home", "token:a") for _ in range(4)]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert limiter.check("GET", "/api/v1/timelines/home", "token:b").allowed  # another caller, another budget
    clock.now = verdicts[0].reset_at
    assert limiter.check("GET", "/api/v1/timelines/home", "token:a").remaining == 2


def test_ratelimit_posting_and_deleting_have_their_own_stricter_budgets():
    limiter = RateLimiter(mastodon_rules(300), Clock())
    post = limiter.check("POST", "/api/v1/statuses", "token:a")
    assert post.limit == 300 and post.reset_at - 1_000_000.0 <= 3 * 3600
    deletes = [limiter.check("DELETE", "/api/v1/statuses/12", "token:a") for _ in range(30)]
    assert deletes[-1].allowed and deletes[-1].limit == 30
    assert not limiter.check("POST", "/api/v1/statuses/13/unreblog", "token:a").allowed  # same budget
    assert limiter.check("GET", "/api/v1/statuses/12", "token:a").allowed
    assert limiter.check("POST", "/api/v2/media", "token:a").limit == 30


def test_ratelimit_caller_is_the_token_else_the_ip():
    scope = {"headers": [(b"authorization", b"Bearer abc")], "client": ("10.0.0.1", 5), "query_string": b""}
    assert caller_key(scope).startswith("token:")
    assert caller_key({**scope, "headers": [], "query_string": b"access_token=abc"}) == caller_key(scope)
    assert caller_key({**scope, "headers": []}) == "ip:10.0.0.1"


async def test_ratelimit_middleware_headers_and_429(settings):
    app = create_app(replace(settings, api_rate_limit=3))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            answers = [await client.get("/api/v1/instance") for _ in range(4)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429]
            assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
            assert answers[0].headers["x-ratelimit-limit"] == "3"
            datetime.fromisoformat(answers[0].headers["x-ratelimit-reset"].replace("Z", "+00:00"))
            assert answers[3].json() == {"error": "Too many requests"} and int(answers[3].headers["retry-after"]) > 0
            token = await client.get("/api/v1/instance", headers={"Authorization": "Bearer someone"})
            assert token.status_code == 200  # a token has its own budget
            health = await client.get("/healthz")
            assert health.status_code == 200 and "x-ratelimit-limit" not in health.headers


async def test_ratelimit_zero_turns_limits_off(settings):
    app = create_app(replace(settings, api_rate_limit=0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            answer = await client.get("/api/v1/instance")
            assert answer.status_code == 200 and "x-ratelimit-limit" not in answer.headers
