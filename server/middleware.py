"""Small ASGI middlewares: request ids with an access log line, a cap on request bodies, and request metrics."""
from __future__ import annotations

import itertools
import logging
import os
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import error_response
from server.logs import request_id
from server.metrics import process_metrics

access_log = logging.getLogger("curbside.access")
_PREFIX = os.urandom(4).hex()  # per process; with a counter, ids are unique without a syscall each
_counter = itertools.count(1)


def _new_request_id() -> str:
    return f"{_PREFIX}{next(_counter) & 0xFFFFFFFF:08x}"


def _given_request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            return given if 0 < len(given) <= 64 and given.isprintable() else ""
    return ""


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-Id if sane, else a new one."""
    return _given_request_id(scope["headers"]) or _new_request_id()


def log_access(scope: Scope, status: int, start: float) -> None:
    """The access line of a request answered `status`, begun at perf_counter() `start`."""
    if access_log.isEnabledFor(logging.INFO):
        access_log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, (time.perf_counter() - start) * 1000)


class RequestIdMiddleware:
    """Tag each request with an id (the client's X-Request-Id if sane), echo it, and log one line.

    It is also the last resort for errors: an unhandled exception is logged with the request id and
    answered with a 500 that says nothing of the internals.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id_of(scope)
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            if "\x00" in scope["path"]:  # no name or id of ours holds one, and PostgreSQL refuses it in text
                # (a NUL in a query parameter is refused where the parameter is read, with its name)
                response = error_response(Request(scope), 400, "a NUL byte in the address")
                return await response(scope, receive, send_with_id)
            await self.app(scope, receive, send_with_id)
        except Exception:
            access_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if status == 500 and not started:
                response = error_response(Request(scope), 500, f"internal error (request id {rid})")
                await response(scope, receive, send_with_id)
        finally:
            log_access(scope, status, start)
            request_id.reset(token)


class BodyLimitMiddleware:
    """Answer 413 to a body over the limit, by Content-Length or while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int, upload_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.upload_max_bytes if scope["path"].startswith(self.upload_prefixes) else self.max_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await _too_large(send, limit)
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = b'{"error":"request body too large (limit %d bytes)"}' % limit
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class MetricsMiddleware:
    """Count and time each HTTP request by method, route template and status (server.metrics). The template, never
    the path: a path holds ids and whatever a client makes up, one series each."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            process_metrics().request(scope["method"], route_template(scope), status, time.perf_counter() - start)


def route_template(scope: Scope) -> str:
    """The path template of the route that answered (set by Starlette's router), else "unmatched"."""
    return getattr(scope.get("route"), "path", None) or "unmatched"
