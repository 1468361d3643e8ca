"""Rate limits: budgets per token or IP in fixed windows, X-RateLimit-* headers, 429 beyond."""
import asyncio
import secrets
from dataclasses import replace
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from server import ratelimit_shared
from server.app import create_app, rate_limiter
from server.db.models import RateLimitWindow
from server.ratelimit import RateLimiter, caller_key, mastodon_rules
from server.ratelimit_shared import SharedRateLimiter
from tests.support.instances import Instance
from tests.support.members import member
from tests.support.postgres import free_port


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
            someone = await member(app, "someone")
            token = await client.get("/api/v1/instance", headers=someone.headers)
            assert token.status_code == 200  # a valid token has its own budget
            health = await client.get("/healthz")
            assert health.status_code == 200 and "x-ratelimit-limit" not in health.headers


@pytest.mark.parametrize("shared", [False, True])
async def test_ratelimit_made_up_tokens_count_against_the_ip(settings, shared):
    """Each request with a new random token is still the same client: the IP's budget, no counter per token;
    a real token keeps its own budget, revoked or not (authentication, not the limiter, ends its access)."""
    app = create_app(replace(settings, api_rate_limit=20), web_processes=2 if shared else 1)
    app.state.rate_limiter.clock = Clock()  # one window throughout, wherever the test falls in real time
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            answers = [await client.get("/api/v1/instance",
                                        headers={"Authorization": f"Bearer {secrets.token_hex(16)}"})
                       for _ in range(30)]
            assert [a.status_code for a in answers] == [200] * 20 + [429] * 10
            someone = await member(app, "someone")
            own = [await client.get("/api/v1/instance", headers=someone.headers) for _ in range(3)]
            assert [a.headers["x-ratelimit-remaining"] for a in own] == ["19", "18", "17"]
        if isinstance(app.state.rate_limiter, SharedRateLimiter):
            async with app.state.sessions() as session:
                buckets = (await session.execute(select(RateLimitWindow.bucket))).scalars().all()
            assert len({bucket.split("|")[-1] for bucket in buckets}) == 2
            assert sum(bucket.endswith("|ip:127.0.0.1") for bucket in buckets) >= 1
        else:
            callers = {caller for _, caller in app.state.rate_limiter.windows}
            assert len(callers) == 2 and "ip:127.0.0.1" in callers


async def test_ratelimit_zero_turns_limits_off(settings):
    app = create_app(replace(settings, api_rate_limit=0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            answer = await client.get("/api/v1/instance")
            assert answer.status_code == 200 and "x-ratelimit-limit" not in answer.headers


async def test_ratelimit_shared_counters_make_two_processes_one_budget(settings):
    """Two limiters on one database (two processes): their requests draw on one budget, window by window."""
    clock = Clock()
    first, second = SharedRateLimiter(mastodon_rules(3), clock), SharedRateLimiter(mastodon_rules(3), clock)
    for limiter in (first, second):
        limiter.open(settings.database_url)
    try:
        verdicts = [await limiter.count("GET", "/api/v1/timelines/home", "token:a")
                    for limiter in (first, second, first, second)]
        assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[0].reset_at == (1_000_000 // 300 + 1) * 300
        assert (await second.count("GET", "/api/v1/timelines/home", "token:b")).allowed
        posting = await first.count("POST", "/api/v1/statuses", "token:c")  # two budgets in one statement
        assert posting.allowed and posting.remaining == 2 and posting.limit == 3
        clock.now = verdicts[0].reset_at
        assert (await second.count("GET", "/api/v1/timelines/home", "token:a")).remaining == 2
        assert first.fallback.hits == second.fallback.hits == 0  # all counted in the database
    finally:
        await first.close()
        await second.close()


async def test_ratelimit_shared_concurrent_requests_pass_exactly_the_budget(settings):
    """Requests racing from several limiters at once: the upsert counts one after the other, none lost."""
    limiters = [SharedRateLimiter(mastodon_rules(20)) for _ in range(3)]
    for limiter in limiters:
        limiter.open(settings.database_url)
    try:
        verdicts = await asyncio.gather(*(limiters[i % 3].count("GET", "/api/v1/instance", "ip:10.0.0.9")
                                          for i in range(45)))
        assert sum(v.allowed for v in verdicts) == 20
        assert sorted(v.remaining for v in verdicts if v.allowed) == list(range(20))
    finally:
        for limiter in limiters:
            await limiter.close()


async def test_ratelimit_shared_windows_that_ended_are_pruned_by_the_chore(app, settings):
    limiter = SharedRateLimiter(mastodon_rules(3), Clock(1_000_000.0))
    limiter.open(settings.database_url)
    try:
        await limiter.count("POST", "/api/v1/statuses", "token:a")  # a 5-minute and a 3-hour window
    finally:
        await limiter.close()
    async with app.state.sessions() as session:
        assert await ratelimit_shared.prune(session, now=1_000_000.0) == 0
        assert await ratelimit_shared.prune(session, now=(1_000_000 // 300 + 1) * 300) == 1
        await session.commit()
    async with app.state.sessions() as session:
        assert [w.bucket for w in (await session.execute(select(RateLimitWindow))).scalars()] == ["statuses|token:a"]


async def test_ratelimit_shared_falls_back_to_memory_when_the_database_cannot_count(caplog):
    limiter = SharedRateLimiter(mastodon_rules(2))
    limiter.open(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    try:
        verdicts = [await limiter.count("GET", "/api/v1/instance", "ip:x") for _ in range(3)]
    finally:
        await limiter.close()
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert "could not count" in caplog.text


def test_ratelimit_shared_where_more_than_one_process_serves(settings):
    """PostgreSQL: always shared; SQLite: in memory for one `serve`, shared for `serve --workers N`."""
    shared = isinstance(rate_limiter(settings, web_processes=1), SharedRateLimiter)
    assert shared == (not settings.is_sqlite)
    assert isinstance(rate_limiter(settings, web_processes=2), SharedRateLimiter)
    assert rate_limiter(replace(settings, api_rate_limit=0), web_processes=2) is None


@pytest.mark.integration
def test_ratelimit_holds_across_serve_processes(tmp_path, database_url):
    """Real `curbside serve` processes on one database, requests spread over them: 429 at the budget, not at
    twice it. PostgreSQL: two `serve` processes on their own ports; SQLite: one `serve --workers 2`."""
    first = Instance(tmp_path / "site", database_url=database_url, env={"CURBSIDE_API_RATE_LIMIT": "6"})
    processes = [first] if database_url.startswith("sqlite") else [first, first.sibling()]
    extra = ("--workers", "2", "--queue-workers", "0") if len(processes) == 1 else ("--queue-workers", "0")
    try:
        for instance in processes:
            instance.start(timeout=120, extra_args=extra)  # spawned web processes import the app: slow when busy
        answers = []
        for i in range(14):
            with httpx.Client(base_url=processes[i % len(processes)].base_url) as http:  # a new connection each
                answers.append(http.get("/api/v1/instance"))
        assert [a.status_code for a in answers] == [200] * 6 + [429] * 8
        assert [a.headers["x-ratelimit-remaining"] for a in answers[:7]] == ["5", "4", "3", "2", "1", "0", "0"]
    finally:
        for instance in processes:
            instance.stop()
