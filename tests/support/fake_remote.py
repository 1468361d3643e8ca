"""A fake remote instance on loopback for inbox tests: actor documents with real RSA keys, objects to
fetch, and signed POSTs to the app under test. Import the fixtures into a test module to use them."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import lru_cache

import httpx
import pytest

from federation.keys import generate_rsa_keypair
from federation.signatures import sign_request
from server.app import create_app
from server.db.models import Actor
from server.jobs.inbox import InboxRunner
from server.services.accounts.members import NewAccount, create_account
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
        self.gone: set[str] = set()
        self.requested: list[str] = []  # every path asked for, in order
        self.base = ""
        self._keys = 0

    async def handle(self, request: Request) -> Reply:
        path = request.target.split("?", 1)[0]
        self.requested.append(path)
        if path in self.gone:
            return Reply(410)
        doc = self.docs.get(path)
        return json_reply(json.dumps(doc).encode()) if doc is not None else Reply(404)

    def actor(self, username: str, *, path: str | None = None, manually_approves: bool = False) -> RemoteActor:
        private, public = keypair(self._keys % 6)  # a few keys shared round-robin: generating is slow
        self._keys += 1
        actor = RemoteActor(self.base + (path or f"/users/{username}"), username, private, public, manually_approves)
        self.publish(actor)
        return actor

    def publish(self, thing: RemoteActor | dict) -> None:
        doc = thing.document() if isinstance(thing, RemoteActor) else thing
        self.docs[doc["id"].removeprefix(self.base)] = doc

    def note(self, author: RemoteActor, n: int, *, to: list[str] | None = None, cc: list[str] | None = None,
             content: str = "hello", **extra) -> dict:
        return {"id": f"{author.uri}/statuses/{n}", "type": "Note", "attributedTo": author.uri,
                "content": f"<p>{content}</p>", "published": "2024-05-01T10:00:00Z",
                "to": [PUBLIC] if to is None else to, "cc": [author.followers] if cc is None else cc, **extra}


def create(note: dict, actor: RemoteActor | None = None) -> dict:
    actor_uri = actor.uri if actor else note["attributedTo"]
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": note["id"] + "/activity", "type": "Create",
            "actor": actor_uri, "to": note.get("to", []), "cc": note.get("cc", []), "object": note}


def signed_headers(actor: RemoteActor, url: str, body: bytes) -> dict[str, str]:
    return sign_request("POST", url, {"Content-Type": "application/activity+json"}, body, actor.key_id,
                        actor.private_pem)


async def deliver(client: httpx.AsyncClient, actor: RemoteActor, activity: dict, path: str = "/inbox") -> httpx.Response:
    """POST `activity` signed by `actor`'s key to the app's inbox."""
    body = json.dumps(activity).encode()
    return await client.post(path, content=body, headers=signed_headers(actor, str(client.base_url) + path, body))


async def drain(app) -> int:
    """Run the inbox runner until the queue is idle; how many items it handled."""
    runner, total = InboxRunner(), 0
    while handled := await runner.run_once(app.state.runtime):
        total += handled
    return total


async def member(app, username: str, *, manually_approves: bool = False) -> Actor:
    settings = app.state.settings
    async with app.state.sessions() as session:
        account = await create_account(session, app.state.urls, settings.domain,
                                       NewAccount(username=username, email=f"{username}@example.org"))
        account.actor.manually_approves = manually_approves
        await session.commit()
        return account.actor


@pytest.fixture
def fed_settings(settings):
    """The conftest settings, federating over plain http with loopback addresses."""
    return dataclasses.replace(settings, allow_http=True, allow_private_addresses=True)


@pytest.fixture
async def fed_app(fed_settings):
    application = create_app(fed_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def fed_client(fed_app):
    transport = httpx.ASGITransport(app=fed_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=fed_app.state.settings.base_url) as c:
        yield c


@pytest.fixture
async def remote():
    fake = FakeRemote()
    async with serve(fake.handle) as server:
        fake.base = server.url("").rstrip("/")
        yield fake
