"""A real Web Push receiver on loopback, standing for a push service and the phone behind it.

Each subscriber has its own key pair (made here with `cryptography`) and endpoint path. A push is taken only when
its VAPID JWT (RFC 8292) is signed by the instance's public key for this receiver's origin and is not expired, and
its body decrypts (RFC 8291, aes128gcm, with http_ece) with the subscriber's private key; the decrypted JSON is
kept in `received`. Anything else is answered 400 with the reason kept in `refused`. `answers[path]` lists the
statuses to answer in turn (then 201), to play a push service that is busy (429, 503) or forgot (404, 410).
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterator

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.loopback_server import Reply, Request, serve


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    """A device's side of a subscription: what it tells the instance, and its private key."""
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return b64(point)

    def form(self, **alerts: bool) -> dict[str, str]:
        """The form fields of POST /api/v1/push/subscription, as Mastodon.py sends them."""
        fields = {"subscription[endpoint]": self.endpoint, "subscription[keys][p256dh]": self.p256dh,
                  "subscription[keys][auth]": b64(self.auth)}
        fields.update({f"data[alerts][{kind.replace('__', '.')}]": str(on).lower() for kind, on in alerts.items()})
        return fields


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: dict


class PushReceiver:
    def __init__(self, server_key: str) -> None:
        self.server_key = server_key  # the instance's VAPID public key, as /api/v2/instance gives it
        self.subscribers: dict[str, Subscriber] = {}
        self.answers: dict[str, list[int]] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.origin = ""
        self.server = None  # the LoopbackServer, which records every request and connection

    def subscriber(self, name: str) -> Subscriber:
        path = f"/push/{name}"
        self.subscribers[path] = Subscriber(self.origin + path)
        return self.subscribers[path]

    async def handle(self, request: Request) -> Reply:
        status = (self.answers.get(request.target) or [201]).pop(0)
        if status >= 300:
            return Reply(status)
        try:
            payload = self._open(request)
        except (AssertionError, ValueError, KeyError, InvalidSignature) as exc:
            self.refused.append(f"{request.target}: {exc!r}")
            return Reply(400)
        self.received.append(Received(request.target, request.headers, payload))
        return Reply(201)

    def _open(self, request: Request) -> dict:
        subscriber = self.subscribers[request.target]
        assert request.method == "POST", request.method
        assert request.headers["content-encoding"] == "aes128gcm", request.headers
        self._check_vapid(request.headers["authorization"])
        plain = http_ece.decrypt(request.body, private_key=subscriber.private_key, auth_secret=subscriber.auth,
                                 version="aes128gcm")
        return json.loads(plain)

    def _check_vapid(self, header: str) -> None:
        scheme, _, params = header.partition(" ")
        fields = dict(part.split("=", 1) for part in params.split(","))
        assert scheme == "vapid" and fields["k"] == self.server_key, header
        head, claims, signature = fields["t"].split(".")
        raw = unb64(signature)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}, head
        body = json.loads(unb64(claims))
        assert body["aud"] == self.origin and time.time() < body["exp"] <= time.time() + 86400, body
        assert body["sub"].startswith(("mailto:", "https:", "http:")), body


@asynccontextmanager
async def receiving(server_key: str) -> AsyncIterator[PushReceiver]:
    """A PushReceiver serving on loopback (plain http: the test instance allows it) until the block ends."""
    receiver = PushReceiver(server_key)
    async with serve(receiver.handle) as server:
        receiver.origin, receiver.server = server.url("").rstrip("/"), server
        yield receiver


@contextmanager
def receiving_in_thread(server_key: str) -> Iterator[PushReceiver]:
    """`receiving`, with its event loop in a thread of its own: for tests that drive real processes."""
    started, held = threading.Event(), {}

    async def run() -> None:
        async with receiving(server_key) as receiver:
            held.update(receiver=receiver, loop=asyncio.get_running_loop(), stop=asyncio.Event())
            started.set()
            await held["stop"].wait()

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="push-receiver", daemon=True)
    thread.start()
    assert started.wait(10), "the push receiver did not start"
    try:
        yield held["receiver"]
    finally:
        held["loop"].call_soon_threadsafe(held["stop"].set)
        thread.join(10)
