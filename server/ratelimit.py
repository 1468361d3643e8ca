"""Rate limits of the client API, as Mastodon documents them: a budget per access token (per client IP
without one) in fixed windows, stricter budgets for posting, deleting and uploading, the X-RateLimit-*
headers on every API response and 429 {"error": "Too many requests"} beyond.

Two kinds of counters, one set of rules: `RateLimiter` counts in the memory of the process (one `serve` on
SQLite: the default there); `server.ratelimit_shared.SharedRateLimiter` counts in the database, one upsert per
request, so that every web process of an instance (on PostgreSQL, or `serve --workers N`) draws on one budget.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.caches import Bounded

BASE_LIMIT = 300  # Mastodon: 300 requests per 5 minutes; the other budgets scale with the configured one
SWEEP_EVERY = 10_000
# A token seen to resolve keeps its own budget this long without being looked up again (the budget's key only:
# whether it still gives access is decided by authentication, at every request).
RESOLVED_SECONDS, RESOLVED_TOKENS = 3600.0, 100_000


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    period: int  # seconds
    methods: frozenset[str] = frozenset()  # empty: every method
    path: re.Pattern | None = None  # None: every API path

    def applies(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and (self.path is None or bool(self.path.match(path)))


def mastodon_rules(limit: int = BASE_LIMIT) -> list[Rule]:
    """The budgets of docs.joinmastodon.org/api/rate-limits (and Mastodon's 300 posts per 3 hours), scaled
    so that `limit` requests per 5 minutes stands where Mastodon has 300."""
    def scaled(n: int) -> int:
        return max(1, n * limit // BASE_LIMIT)
    return [
        Rule("api", scaled(300), 300),
        Rule("statuses", scaled(300), 3 * 3600, frozenset({"POST"}), re.compile(r"^/api/v1/statuses/?$")),
        Rule("media", scaled(30), 1800, frozenset({"POST"}), re.compile(r"^/api/v[12]/media/?$")),
        # one budget (same name) for deleting posts and taking boosts back
        Rule("deletes", scaled(30), 1800, frozenset({"DELETE"}), re.compile(r"^/api/v1/statuses/\d+/?$")),
        Rule("deletes", scaled(30), 1800, frozenset({"POST"}), re.compile(r"^/api/v1/statuses/\d+/unreblog/?$")),
    ]


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    allowed: bool


def verdict(rule: Rule, window: int, count: int) -> Verdict:
    """`count` requests so far in window number `window` of `rule`."""
    return Verdict(rule.limit, max(0, rule.limit - count), (window + 1) * rule.period, count <= rule.limit)


def tightest(verdicts: list[Verdict]) -> Verdict:
    """The verdict a request gets: a refusal if any budget refuses, else the one with the least left."""
    refused = [v for v in verdicts if not v.allowed]
    return (refused or sorted(verdicts, key=lambda v: v.remaining))[0]


class Limiter(Protocol):
    clock: Callable[[], float]

    async def count(self, method: str, path: str, caller: str) -> Verdict: ...


class RateLimiter:
    """Fixed-window counters keyed by (rule, caller)."""

    def __init__(self, rules: list[Rule], clock: Callable[[], float] = time.time):
        self.rules = rules
        self.clock = clock
        self.windows: dict[tuple[str, str], tuple[int, int]] = {}  # -> (window number, count)
        self.hits = 0

    def check(self, method: str, path: str, caller: str) -> Verdict:
        """Count one request; the verdict of the tightest budget that applies."""
        now = self.clock()
        verdicts = [self._hit(rule, caller, now) for rule in self.rules if rule.applies(method, path)]
        self.hits += 1
        if self.hits % SWEEP_EVERY == 0:
            self._sweep(now)
        return tightest(verdicts)

    async def count(self, method: str, path: str, caller: str) -> Verdict:
        return self.check(method, path, caller)

    def _hit(self, rule: Rule, caller: str, now: float) -> Verdict:
        window = int(now // rule.period)
        key = (rule.name, caller)
        current, count = self.windows.get(key, (window, 0))
        count = count + 1 if current == window else 1
        self.windows[key] = (window, count)
        return verdict(rule, window, count)

    def _sweep(self, now: float) -> None:
        periods = {r.name: r.period for r in self.rules}
        self.windows = {k: v for k, v in self.windows.items() if v[0] == int(now // periods[k[0]])}


def caller_key(scope: Scope) -> str:
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"")
    token = auth[7:].strip() if auth[:7].lower() == b"bearer " else b""
    if not token:
        match = re.search(rb"(?:^|&)access_token=([^&]+)", scope.get("query_string") or b"")
        token = match.group(1) if match else b""
    if token:
        return "token:" + hashlib.blake2b(token, digest_size=12).hexdigest()
    return ip_key(scope)


def ip_key(scope: Scope) -> str:
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RateLimitMiddleware:
    """Count client-API requests and add the X-RateLimit-* headers; 429 beyond the budget.
    The streaming endpoints are left out: a stream is one long request."""

    def __init__(self, app: ASGIApp, limiter: Limiter, prefixes: tuple[str, ...] = ("/api/",),
                 exempt: tuple[str, ...] = ("/api/v1/streaming",),
                 known_token: Callable[[Scope], Awaitable[bool]] | None = None):
        self.app = app
        self.known_token = known_token  # does the request's token resolve? (else it counts against its IP)
        self.resolved = Bounded(RESOLVED_TOKENS, ttl=RESOLVED_SECONDS)  # keys of tokens seen to resolve
        self.limiter = limiter
        self.prefixes = prefixes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefixes) or path.startswith(self.exempt):
            return await self.app(scope, receive, send)
        counted = await self.limiter.count(scope["method"], path, await self._caller(scope))
        headers = [(b"x-ratelimit-limit", str(counted.limit).encode()),
                   (b"x-ratelimit-remaining", str(counted.remaining).encode()),
                   (b"x-ratelimit-reset", _iso(counted.reset_at).encode())]
        if not counted.allowed:
            body = json.dumps({"error": "Too many requests"}).encode()
            retry = max(1, int(counted.reset_at - self.limiter.clock()))
            await send({"type": "http.response.start", "status": 429,
                        "headers": headers + [(b"content-type", b"application/json"),
                                              (b"content-length", str(len(body)).encode()),
                                              (b"retry-after", str(retry).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _caller(self, scope: Scope) -> str:
        """The budget's key: a token's own, when it resolves; else the client's IP, so that made-up tokens
        neither escape the IP's budget nor leave a counter each."""
        key = caller_key(scope)
        if not key.startswith("token:") or self.known_token is None or self.resolved.get(key):
            return key
        if await self.known_token(scope):  # once per token and process an hour: the budget's key, not access
            self.resolved.put(key, True)
            return key
        return ip_key(scope)
