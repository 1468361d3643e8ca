"""A tiny real HTTP/1.1 server on 127.0.0.1 for outbound-HTTP tests.

It answers each request with whatever the test's handler returns, records what arrived and
counts connections, so a test can assert that a refused URL was never even connected to.
"""
from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    send_length: bool = True  # False: no Content-Length, body ends when the connection closes
    chunk_size: int = 65536
    chunk_delay: float = 0.0


Handler = Callable[[Request], Awaitable[Reply]]


def json_reply(body: bytes, content_type: str = "application/activity+json", **kw) -> Reply:
    return Reply(200, {"Content-Type": content_type}, body, **kw)


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, {"Location": location})


class LoopbackServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.connections = 0
        self.port = 0
        self._tasks: set[asyncio.Task] = set()

    def url(self, path: str = "/", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._tasks.add(asyncio.current_task())
        try:
            request = await _read_request(reader)
            self.requests.append(request)
            await _write_reply(writer, await self.handler(request))
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._tasks.discard(asyncio.current_task())
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Request:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *lines = head.split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in filter(None, lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    return Request(method, target, headers, body)


async def _write_reply(writer: asyncio.StreamWriter, reply: Reply) -> None:
    headers = {"Connection": "close", **reply.headers}
    if reply.send_length:
        headers["Content-Length"] = str(len(reply.body))
    head = f"HTTP/1.1 {reply.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode("latin-1") + b"\r\n")
    for start in range(0, len(reply.body), reply.chunk_size):
        writer.write(reply.body[start : start + reply.chunk_size])
        await writer.drain()
        await asyncio.sleep(reply.chunk_delay)
    await writer.drain()


@contextlib.asynccontextmanager
async def serve(handler: Handler, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[LoopbackServer]:
    server = LoopbackServer(handler)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=ssl_context)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        for task in list(server._tasks):
            task.cancel()
        await listener.wait_closed()


async def never(request: Request) -> Reply:
    """A handler that accepts the request and never answers."""
    await asyncio.sleep(3600)
    raise AssertionError("unreachable")
