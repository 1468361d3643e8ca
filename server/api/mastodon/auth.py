"""Bearer-token authentication and scope checks for the client API.

Each route of the route table declares what it needs (a `Need`: which token, which scope); handlers call
`authenticate(request)` and get that check, so the table is the one place a test (and a reader) looks.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from server import replica
from server.api.mastodon.params import check_query
from server.caches import Caches
from server.db.models import Account, OAuthApp
from server.services.accounts.oauth import lookup_token
from server.services.accounts.scopes import covers, parse_scopes

TOKEN_CACHE_SECONDS = 5.0  # an ended token leaves it on every process as the hub reads it (server.streaming.hub)
TOKEN_CACHE_MAX = 10_000


@dataclass(frozen=True)
class Need:
    """What a route asks of the caller: `token` is "user" (a member's token), "optional" (anonymous callers
    welcome, a given token must still carry the scope), "app" (any valid token) or "none" (public)."""
    token: str
    scope: str | None = None


PUBLIC = Need("none")


def user(scope: str) -> Need:
    return Need("user", scope)


def optional(scope: str) -> Need:
    return Need("optional", scope)


def app_token() -> Need:
    return Need("app")


class ApiRoute(Route):
    """A route of the client API, carrying its `Need`."""

    def __init__(self, path: str, endpoint, need: Need, methods: list[str] | None = None):
        super().__init__(path, endpoint, methods=methods or ["GET"])
        self.need = need

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        check_query(QueryParams(scope.get("query_string", b"")))  # every route's query string, in one place
        await super().handle(scope, receive, send)


class ApiWebSocketRoute(WebSocketRoute):
    def __init__(self, path: str, endpoint, need: Need):
        super().__init__(path, endpoint)
        self.need = need


@dataclass(frozen=True)
class Auth:
    account: Account | None
    app: OAuthApp | None
    scopes: frozenset[str]
    token_id: int


def bearer(conn: HTTPConnection) -> str | None:
    """The access token: Authorization: Bearer, else the access_token query parameter (as Doorkeeper takes it)."""
    header = conn.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return conn.query_params.get("access_token") or None


class TokenCache:
    """Token -> Auth for a few seconds, so that a busy client costs one token query every few seconds.

    Every eviction bumps `generation`; a lookup that began before one is not remembered (it may have read a
    token whose right to read ended while it ran)."""

    def __init__(self, ttl: float = TOKEN_CACHE_SECONDS, size: int = TOKEN_CACHE_MAX):
        self.ttl, self.size = ttl, size
        self.entries: dict[str, tuple[float, Auth]] = {}
        self.generation = 0

    def get(self, key: str) -> Auth | None:
        hit = self.entries.get(key)
        return hit[1] if hit is not None and hit[0] >= time.monotonic() else None

    def put(self, key: str, auth: Auth, generation: int) -> None:
        """Remember `auth`, read by a lookup that began at `generation`, unless an eviction came since."""
        if generation != self.generation:
            return
        if len(self.entries) >= self.size:
            now = time.monotonic()
            self.entries = {k: v for k, v in self.entries.items() if v[0] >= now}
            if len(self.entries) >= self.size:
                self.entries.clear()
        self.entries[key] = (time.monotonic() + self.ttl, auth)

    def forget_access(self, token_ids: set[int], actor_ids: set[int]) -> None:
        """Drop these tokens and every token of these members (an `access_ended` event)."""
        self.generation += 1
        self.entries = {k: v for k, v in self.entries.items() if not _named(v[1], token_ids, actor_ids)}

    def forget(self, *keys: str) -> None:
        self.generation += 1
        for key in keys:
            self.entries.pop(key, None)

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()


def token_cache(caches: Caches) -> TokenCache:
    return caches.use("tokens", TokenCache)


def _named(auth: Auth, token_ids: set[int], actor_ids: set[int]) -> bool:
    return auth.token_id in token_ids or (auth.account is not None and auth.account.actor_id in actor_ids)


async def _load(conn: HTTPConnection, token: str) -> Auth | None:
    state = conn.app.state
    cache = token_cache(state.runtime.caches)
    key = hashlib.sha256(token.encode()).hexdigest()
    if (cached := cache.get(key)) is not None:
        return cached
    generation = cache.generation
    # Inline on SQLite: a lookup handed to the driver's thread waits for a turn of the loop at each step, which on a
    # busy process made every request that found its token expired from the cache wait 100-400 ms.
    async with state.runtime.primary_reads() as session:
        row = await lookup_token(session, token)
    auth = None if row is None else Auth(account=row.account, app=row.app, scopes=parse_scopes(row.scopes),
                                         token_id=row.id)
    # Only a token in good standing is remembered: confirming an email or lifting a suspension counts at once.
    if auth is not None and (auth.account is None or auth.account.confirmed_at is not None):
        cache.put(key, auth, generation)
    return auth


async def token_resolves(scope: Scope) -> bool:
    """For the rate limiter's choice of budget (the token's own, or its IP's for a made-up one): a lookup of its
    own that leaves the token cache alone (filling it here raced the revocation checks of authentication)."""
    token = bearer(HTTPConnection(scope))
    if token is None:
        return False
    async with scope["app"].state.sessions() as session:
        return await lookup_token(session, token) is not None


def declared_need(conn: HTTPConnection) -> Need:
    route = conn.scope.get("route")
    need = getattr(route, "need", None)
    if need is None:
        raise RuntimeError(f"route {getattr(route, 'path', '?')} declares no Need in the route table")
    return need


async def authenticate(conn: HTTPConnection, scope: str | None = None, *, user: bool | None = None,
                       optional: bool | None = None, token: str | None = None,
                       unconfirmed: bool = False) -> Auth | None:
    """The caller's token, checked against the route's declared Need: 401 without a valid token,
    403 without the scope, 422 for an app-only token where a member is needed.

    Explicit `scope`/`user`/`optional` override the declaration (for callers outside the route table);
    `token` is a token found elsewhere (a WebSocket subprotocol). A member who has not confirmed their
    email address gets 403 unless `unconfirmed` (as on Mastodon)."""
    need = declared_need(conn) if scope is None and user is None and optional is None else \
        Need("optional" if optional else ("user" if user is not False else "app"), scope)
    if need.token == "none":
        return None
    token = token or bearer(conn)
    if token is None:
        if need.token == "optional":
            return None
        raise HTTPException(401, "The access token is invalid")
    auth = await _load(conn, token)
    if auth is None:
        raise HTTPException(401, "The access token is invalid")
    if need.scope and not covers(auth.scopes, need.scope):
        raise HTTPException(403, "This action is outside the authorized scopes")
    if auth.account is None and need.token == "optional":
        return None  # an app's own token reads what anonymous callers read
    if auth.account is None and need.token == "user":
        raise HTTPException(422, "This method requires an authenticated user")
    if auth.account is not None and auth.account.confirmed_at is None and not unconfirmed:
        raise HTTPException(403, "Your login is missing a confirmed e-mail address")
    await replica.authenticated()  # a live token: a write may follow (read-your-writes)
    return auth
