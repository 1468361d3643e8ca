"""The receiving side the delivery benches share: `count` loopback ports, each one remote "domain"
(localhost:PORT), each served by the bench's own inbox handler; the ports are printed as one JSON line."""
from __future__ import annotations

import asyncio
import contextlib
import json


async def listen(count: int, serve_inbox) -> None:
    """Listen on `count` ports with `serve_inbox(reader, writer, port)`, print them, and serve until killed."""
    servers, ports = [], []
    for _ in range(count):
        holder: dict[str, int] = {}

        def handle(reader, writer, holder=holder):
            return serve_inbox(reader, writer, holder["port"])
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        holder["port"] = server.sockets[0].getsockname()[1]
        servers.append(server)
        ports.append(holder["port"])
        # localhost may resolve to ::1 first: listen there on the same port, so one port is one domain.
        with contextlib.suppress(OSError):
            servers.append(await asyncio.start_server(handle, "::1", holder["port"]))
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()
