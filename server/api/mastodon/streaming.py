"""/api/v1/streaming: server-sent events (one stream per request) and WebSocket (streams subscribed and
unsubscribed by messages), as Mastodon's streaming server speaks them. Every stream needs a member's
token (Mastodon 4.2+): Authorization header, `access_token` parameter, or the WebSocket subprotocol. A stream
closes when its right to read ends: its token revoked, its member's account disabled, suspended or deleted
(server.services.reading.stream_events.access_ended)."""
from __future__ import annotations

import asyncio
import contextlib
import json
from typing import AsyncIterator

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from federation.json_input import parse_json, valid_text
from server.api.mastodon.auth import Auth, authenticate, bearer
from server.api.mastodon.params import as_id
from server.services.accounts.oauth import token_in_force
from server.services.accounts.scopes import covers
from server.services.reading.lists import find_list
from server.streaming.subscribers import Closed, Stream, Subscriber

HEARTBEAT_SECONDS = 15.0
STREAMS = ("user", "user:notification", "public", "public:media", "public:local", "public:local:media",
           "public:remote", "public:remote:media", "hashtag", "hashtag:local", "direct", "list")


def stream_scope(name: str) -> str:
    return "read:notifications" if name == "user:notification" else "read:statuses"


def parse_stream(auth: Auth, name: str | None, tag: str | None, list_id: object = None) -> Stream:
    """The stream asked for, refused (400/403) if unknown, without its tag or list, or outside the token's
    scopes. A list's stream carries the list id as its tag (its label is ["list", id], as on Mastodon)."""
    if not isinstance(name, str) or name not in STREAMS:
        raise HTTPException(400, "Unknown stream type")
    if name.startswith("hashtag"):
        tag = (tag if isinstance(tag, str) else "").strip().lstrip("#").lower()
        if not tag or not valid_text(tag):
            raise HTTPException(400, "No tag for stream provided")
    elif name == "list":
        if as_id(list_id) is None:
            raise HTTPException(400, "Missing list name parameter")
        tag = str(as_id(list_id))
    else:
        tag = None
    if not covers(auth.scopes, stream_scope(name)):
        raise HTTPException(403, "Access token does not have the required scopes")
    return Stream(name, tag)


async def check_owner(app, auth: Auth, stream: Stream) -> None:
    """A list's stream is for the list's owner alone (Mastodon answers others 401)."""
    if stream.name == "list":
        async with app.state.sessions() as session:
            if await find_list(session, auth.account.actor_id, int(stream.tag)) is None:
                raise HTTPException(401, "Not authorized to stream this list")


async def subscribe(app, auth: Auth, streams: set[Stream]) -> Subscriber:
    """A subscriber of the hub for `auth`. The token is looked at again once it listens: a right that ended
    after authentication, but before the hub knew this subscriber, is refused (401) all the same."""
    subscriber, hub = Subscriber(auth.account.actor_id, auth.token_id, auth.scopes, streams), app.state.hub
    await hub.subscribe(subscriber)
    async with app.state.sessions() as session:
        in_force = await token_in_force(session, auth.token_id)
    if not in_force:
        hub.unsubscribe(subscriber)
        raise HTTPException(401, "The access token is invalid")
    return subscriber


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("OK")


async def _events(request: Request, subscriber: Subscriber) -> AsyncIterator[bytes]:
    hub = request.app.state.hub
    try:
        yield b":)\n"
        while True:
            try:
                message = await subscriber.next(HEARTBEAT_SECONDS)
            except Closed:
                return
            if message is None:
                yield b":thump\n"
            else:
                yield f"event: {message.event}\ndata: {message.payload}\n\n".encode()
    finally:
        hub.unsubscribe(subscriber)


async def _serve_sse(request: Request, name: str | None) -> StreamingResponse:
    auth = await authenticate(request)
    params = request.query_params
    stream = parse_stream(auth, name, params.get("tag"), params.get("list"))
    await check_owner(request.app, auth, stream)
    subscriber = await subscribe(request.app, auth, {stream})
    return StreamingResponse(_events(request, subscriber), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def sse(name: str):
    async def handler(request: Request) -> StreamingResponse:
        return await _serve_sse(request, name)
    handler.__name__ = f"stream_{name.replace(':', '_')}"
    return handler


async def sse_by_parameter(request: Request) -> StreamingResponse | JSONResponse:
    """GET /api/v1/streaming?stream=NAME; without `stream`, 404 tells a client the API host streams too."""
    if not request.query_params.get("stream"):
        await authenticate(request)
        raise HTTPException(404, "Not found: stream on this host, with ?stream=NAME or the stream's path")
    return await _serve_sse(request, request.query_params.get("stream"))


async def _deny(ws: WebSocket, exc: HTTPException) -> None:
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(JSONResponse({"error": exc.detail}, status_code=exc.status_code))
    else:
        await ws.close(code=4000 + exc.status_code, reason=exc.detail)


async def _read_commands(ws: WebSocket, auth: Auth, subscriber: Subscriber) -> None:
    while True:
        try:
            text = await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError, KeyError):
            return
        try:
            command = parse_json(text)  # JsonRefused is a ValueError: too deep, NaN, malformed
            if not isinstance(command, dict) or command.get("type") not in ("subscribe", "unsubscribe"):
                raise HTTPException(400, "Unknown command: send {\"type\": \"subscribe\", \"stream\": ...}")
            stream = parse_stream(auth, command.get("stream"), command.get("tag"), command.get("list"))
            if command["type"] == "subscribe":
                await check_owner(ws.app, auth, stream)
        except ValueError:
            await ws.send_json({"error": "Malformed JSON", "status": 400})
            continue
        except HTTPException as exc:
            await ws.send_json({"error": exc.detail, "status": exc.status_code})
            continue
        (subscriber.streams.add if command["type"] == "subscribe" else subscriber.streams.discard)(stream)


async def _write_messages(ws: WebSocket, subscriber: Subscriber) -> None:
    while True:
        try:
            message = await subscriber.next(HEARTBEAT_SECONDS)
        except Closed:
            return
        if message is not None:
            await ws.send_text(json.dumps({"stream": message.stream.label(), "event": message.event,
                                           "payload": message.payload}, separators=(",", ":")))


async def websocket(ws: WebSocket) -> None:
    offered = ws.scope.get("subprotocols") or ws.headers.get("sec-websocket-protocol", "").split(",")
    protocol = offered[0].strip() if offered and offered[0].strip() else None
    from_protocol = bearer(ws) is None and protocol is not None
    try:
        auth = await authenticate(ws, token=protocol if from_protocol else None)
        name = ws.query_params.get("stream")
        params = ws.query_params
        streams = {parse_stream(auth, name, params.get("tag"), params.get("list"))} if name else set()
        for stream in streams:
            await check_owner(ws.app, auth, stream)
        subscriber = await subscribe(ws.app, auth, streams)
    except HTTPException as exc:
        return await _deny(ws, exc)
    tasks = []
    try:
        await ws.accept(subprotocol=protocol if from_protocol else None)
        tasks = [asyncio.create_task(_read_commands(ws, auth, subscriber)),
                 asyncio.create_task(_write_messages(ws, subscriber))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ws.app.state.hub.unsubscribe(subscriber)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await ws.close()
