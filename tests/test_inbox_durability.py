"""A SIGKILLed `curbside serve` has stored every activity its inbox answered 202 to."""
import asyncio
import json
import sqlite3

import httpx
import pytest

from federation.signatures import sign_request
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import Actor
from server.db.types import utcnow
from tests.support.fake_remote import keypair
from tests.support.instances import Instance

pytestmark = pytest.mark.integration
SENT, KILL_AFTER, CONNECTIONS = 400, 150, 8


async def _seed_actors(database_url: str, count: int) -> list[tuple[str, str]]:
    """Remote actors known with fresh keys (so the server never fetches them): (actor id, private key)."""
    engine = make_engine(database_url)
    people = []
    async with make_sessionmaker(engine)() as session:
        for n in range(count):
            private, public = keypair(n)
            uri = f"https://remote{n}.example/users/m{n}"
            session.add(Actor(uri=uri, local=False, username=f"m{n}", domain=f"remote{n}.example",
                              inbox=uri + "/inbox", public_key_id=uri + "#main-key", public_key_pem=public,
                              fetched_at=utcnow()))
            people.append((uri, private))
        await session.commit()
    await engine.dispose()
    return people


def _signed_posts(instance: Instance, people: list[tuple[str, str]]) -> list[tuple[str, bytes, dict]]:
    posts = []
    for n in range(SENT):
        actor, private = people[n % len(people)]
        note = {"id": f"{actor}/statuses/{n}", "type": "Note", "attributedTo": actor, "content": f"<p>{n}</p>",
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}
        activity = {"id": note["id"] + "/activity", "type": "Create", "actor": actor, "object": note}
        body = json.dumps(activity).encode()
        headers = sign_request("POST", f"{instance.base_url}/inbox", {}, body, actor + "#main-key", private)
        posts.append((activity["id"], body, headers))
    return posts


async def _post_until_killed(instance: Instance, posts: list[tuple[str, bytes, dict]]) -> set[str]:
    """POST from several connections; SIGKILL the server once KILL_AFTER were accepted, mid-stream.
    Returns the ids of the activities answered 202."""
    accepted: set[str] = set()
    queue = list(reversed(posts))

    async def connection(client: httpx.AsyncClient) -> None:
        while queue:
            activity_id, body, headers = queue.pop()
            try:
                response = await client.post("/inbox", content=body, headers=headers)
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code == 202:
                accepted.add(activity_id)
                if len(accepted) == KILL_AFTER:
                    instance.kill()  # others are in flight: they may or may not be stored, never answered

    async with httpx.AsyncClient(base_url=instance.base_url, timeout=30) as client:
        await asyncio.gather(*(connection(client) for _ in range(CONNECTIONS)))
    return accepted


def test_inbox_sigkill_loses_no_accepted_activity(tmp_path):
    instance = Instance(tmp_path / "a", env={"CURBSIDE_INPROCESS_WORKER": "false", "CURBSIDE_LOG_LEVEL": "WARNING"})
    database = tmp_path / "a" / "curbside.db"
    instance.data_dir.mkdir(parents=True)
    instance.cli("migrate")
    people = asyncio.run(_seed_actors(f"sqlite+aiosqlite:///{database}", 4))
    instance.start()
    try:
        accepted = asyncio.run(_post_until_killed(instance, _signed_posts(instance, people)))
        assert instance.process.returncode == -9 and len(accepted) >= KILL_AFTER
        instance.start()  # recovers the WAL
        with sqlite3.connect(database) as db:
            stored = {row[0] for row in db.execute("SELECT activity_uri FROM inbox_items WHERE state = 'queued'")}
        assert accepted <= stored
        assert len(stored) < SENT  # the kill really came mid-stream
    finally:
        instance.stop()
