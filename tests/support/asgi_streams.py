"""Open long-lived streams (server-sent events, WebSocket) on an ASGI app in the test's own event loop:
httpx's ASGI transport waits for the whole body, which a stream never finishes."""
from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

TIMEOUT = 10.0


def _scope(kind: str, url: str, headers: dict[str, str]) -> dict:
    parts = urlsplit(url)
    return {"type": kind, "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": parts.path, "raw_path": parts.path.encode(), "query_string": parts.query.encode(),
            "root_path": "", "client": ("127.0.0.1", 50000), "server": ("curbside.test", 80),
            "headers": [(b"host", b"curbside.test")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]}


async def _until(sent: asyncio.Queue, last, timeout: float) -> bool:
    try:
        async with asyncio.timeout(timeout):
            while not last(await sent.get()):
                pass
    except TimeoutError:
        return False
    return True


class EventStream:
    """GET a server-sent events endpoint; `status`, then `next()` gives (event, data) pairs."""

    def __init__(self, app, url: str, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.scope = _scope("http", url, headers)
        self.app, self.sent, self.gone = app, asyncio.Queue(), asyncio.Event()
        self.buffer, self.asked = b"", False
        self.status, self.body = 0, b""

    async def _receive(self) -> dict:
        if not self.asked:
            self.asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def __aenter__(self) -> "EventStream":
        self.task = asyncio.create_task(self.app(self.scope, self._receive, self.sent.put))
        start = await asyncio.wait_for(self.sent.get(), TIMEOUT)
        self.status = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
        if self.status != 200:
            while (message := await asyncio.wait_for(self.sent.get(), TIMEOUT)).get("more_body"):
                self.body += message.get("body", b"")
            self.body += message.get("body", b"")
        return self

    async def next(self, timeout: float = TIMEOUT) -> tuple[str, str]:
        while b"\n\n" not in self.buffer:
            message = await asyncio.wait_for(self.sent.get(), timeout)
            self.buffer += message.get("body", b"")
        block, self.buffer = self.buffer.split(b"\n\n", 1)
        fields = dict(line.split(": ", 1) for line in block.decode().split("\n") if line and not line.startswith(":"))
        return fields["event"], fields["data"]

    async def ended(self, timeout: float = TIMEOUT) -> bool:
        """Whether the server ends the response within `timeout` seconds (events until then are skipped)."""
        return await _until(self.sent, lambda m: not m.get("more_body", False), timeout)

    async def __aexit__(self, *exc) -> None:
        self.gone.set()
        await asyncio.wait_for(self.task, TIMEOUT)


class WebSocketStream:
    """A WebSocket client session: `accepted` (and `subprotocol`), `send(obj)`, `next()` gives messages."""

    def __init__(self, app, url: str, headers: dict[str, str] | None = None):
        self.scope = {**_scope("websocket", url, headers or {}), "subprotocols": [
            p.strip() for p in (headers or {}).get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]}
        self.app, self.sent, self.incoming = app, asyncio.Queue(), asyncio.Queue()
        self.accepted, self.subprotocol, self.close_code = False, None, None

    async def __aenter__(self) -> "WebSocketStream":
        await self.incoming.put({"type": "websocket.connect"})
        self.task = asyncio.create_task(self.app(self.scope, self.incoming.get, self.sent.put))
        first = await asyncio.wait_for(self.sent.get(), TIMEOUT)
        self.accepted = first["type"] == "websocket.accept"
        self.subprotocol = first.get("subprotocol")
        if first["type"] == "websocket.close":
            self.close_code = first.get("code")
        return self

    async def send(self, obj) -> None:
        await self.send_text(json.dumps(obj))

    async def send_text(self, text: str) -> None:
        await self.incoming.put({"type": "websocket.receive", "text": text})

    async def next(self, timeout: float = TIMEOUT) -> dict:
        message = await asyncio.wait_for(self.sent.get(), timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def ended(self, timeout: float = TIMEOUT) -> bool:
        """Whether the server closes the connection within `timeout` seconds (messages until then are skipped)."""
        return await _until(self.sent, lambda m: m["type"] == "websocket.close", timeout)

    async def __aexit__(self, *exc) -> None:
        await self.incoming.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, TIMEOUT)
