"""A fake remote instance on loopback for inbox tests: actor documents with real RSA keys, objects to
fetch, and signed POSTs to the app under test. `serving()` runs one; the fixture `remote`
(tests/conftest.py) is one."""
from __future__ import annotations

import dataclasses
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import AsyncIterator
from urllib.parse import unquote

import httpx

from federation.keys import generate_rsa_keypair
from federation.signatures import sign_request
from server.jobs.deliveries import DeliveryRunner
from server.jobs.inbox import InboxRunner
from server.runtime import Runtime
from server.settings import Settings
from tests.loopback_server import Reply, Request, json_reply, serve

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@lru_cache(maxsize=None)
def keypair(n: int) -> tuple[str, str]:
    """The n-th test key pair (generated once per test session: RSA generation is slow)."""
    return generate_rsa_keypair()


@dataclass
class RemoteActor:
    uri: str
    username: str
    private_pem: str
    public_pem: str
    manually_approves: bool = False
    also_known_as: list[str] = field(default_factory=list)
    key_suffix: str = "#main-key"  # GoToSocial: "/main-key", a URL of its own

    @property
    def key_id(self) -> str:
        return self.uri + self.key_suffix

    @property
    def followers(self) -> str:
        return f"{self.uri}/followers"

    def document(self) -> dict:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri, "type": "Person", "preferredUsername": self.username,
            "inbox": f"{self.uri}/inbox", "outbox": f"{self.uri}/outbox", "followers": self.followers,
            "endpoints": {"sharedInbox": self.uri.rsplit("/users/", 1)[0] + "/inbox"},
            "manuallyApprovesFollowers": self.manually_approves, "alsoKnownAs": self.also_known_as,
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.public_pem},
        }


class FakeRemote:
    """Serves whatever documents are registered by path; 410 for paths in `gone`; 404 for the rest."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.fingered: dict[str, str] = {}  # user -> actor id, answered over WebFinger (see `finger`)
        self.gone: set[str] = set()
        self.files: dict[str, tuple[str, bytes]] = {}  # path -> (Content-Type, body): media it serves
        self.requested: list[str] = []  # every path asked for, in order
        self.base = ""
        self.server = None  # the LoopbackServer serving this, which records every request it received
        self._keys = 0

    async def handle(self, request: Request) -> Reply:
        path, _, query = request.target.partition("?")
        self.requested.append(path)
        if path == "/.well-known/webfinger":
            return self._webfinger(unquote(query))
        if path in self.gone:
            return Reply(410)
        if path in self.files:
            content_type, body = self.files[path]
            return Reply(200, {"Content-Type": content_type}, body)
        doc = self.docs.get(path)
        return json_reply(json.dumps(doc).encode()) if doc is not None else Reply(404)

    def actor(self, username: str, *, path: str | None = None, manually_approves: bool = False) -> RemoteActor:
        private, public = keypair(self._keys % 6)  # a few keys shared round-robin: generating is slow
        self._keys += 1
        actor = RemoteActor(self.base + (path or f"/users/{username}"), username, private, public, manually_approves)
        self.publish(actor)
        return actor

    def finger(self, actor: RemoteActor) -> str:
        """Answer WebFinger for `actor` (as application/jrd+json); its acct, user@host."""
        self.fingered[actor.username] = actor.uri
        return f"{actor.username}@{self.base.split('://', 1)[1]}"

    def _webfinger(self, query: str) -> Reply:
        user = query.partition("acct:")[2].split("@", 1)[0]
        if user not in self.fingered:
            return Reply(404)
        jrd = {"subject": f"acct:{user}@{self.base.split('://', 1)[1]}", "links": [
            {"rel": "self", "type": "application/activity+json", "href": self.fingered[user]}]}
        return json_reply(json.dumps(jrd).encode(), "application/jrd+json")

    def publish(self, thing: RemoteActor | dict) -> None:
        doc = thing.document() if isinstance(thing, RemoteActor) else thing
        self.docs[doc["id"].removeprefix(self.base)] = doc

    def note(self, author: RemoteActor, n: int, *, to: list[str] | None = None, cc: list[str] | None = None,
             content: str = "hello", **extra) -> dict:
        return {"id": f"{author.uri}/statuses/{n}", "type": "Note", "attributedTo": author.uri,
                "content": f"<p>{content}</p>", "published": "2024-05-01T10:00:00Z",
                "to": [PUBLIC] if to is None else to, "cc": [author.followers] if cc is None else cc, **extra}


@asynccontextmanager
async def serving() -> AsyncIterator[FakeRemote]:
    """A FakeRemote serving on loopback until the block ends."""
    fake = FakeRemote()
    async with serve(fake.handle) as server:
        fake.base, fake.server = server.url("").rstrip("/"), server
        yield fake


def create(note: dict, actor: RemoteActor | None = None) -> dict:
    actor_uri = actor.uri if actor else note["attributedTo"]
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": note["id"] + "/activity", "type": "Create",
            "actor": actor_uri, "to": note.get("to", []), "cc": note.get("cc", []), "object": note}


def signed_headers(actor: RemoteActor, url: str, body: bytes) -> dict[str, str]:
    return sign_request("POST", url, {"Content-Type": "application/activity+json"}, body, actor.key_id,
                        actor.private_pem)


async def deliver(client: httpx.AsyncClient, actor: RemoteActor, activity: dict,
                  path: str = "/inbox") -> httpx.Response:
    """POST `activity` signed by `actor`'s key to the app's inbox."""
    body = json.dumps(activity).encode()
    return await client.post(path, content=body, headers=signed_headers(actor, str(client.base_url) + path, body))


async def drain(app) -> int:
    """Run the inbox runner until the queue is idle; how many items it handled."""
    runner, total = InboxRunner(), 0
    while handled := await runner.run_once(app.state.runtime):
        total += handled
    return total


async def deliver_queued(settings: Settings) -> None:
    """Send what the delivery queue holds, once, from a runtime allowed to reach loopback servers over http."""
    runtime = Runtime.create(dataclasses.replace(settings, allow_http=True, allow_private_addresses=True))
    try:
        runner = DeliveryRunner()
        await runner.run_once(runtime)
        await runner.wait_idle()
    finally:
        await runtime.close()
