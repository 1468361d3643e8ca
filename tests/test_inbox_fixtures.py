"""Real payloads from other servers, posted as signed activities of their own (relocated) actors:
never a 5xx, and the runner settles every one of them without an unexpected error."""
import contextlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from federation.urls import origin
from server.db.models import InboxItem
from tests.support.fake_remote import FakeRemote, deliver, drain, serving
from tests.support.members import member

FIXTURES = sorted((Path(__file__).parent / "data" / "fixtures_real").glob("*/activities/**/*.json"))


def _actor_id(doc: dict) -> str | None:
    actor = doc.get("actor")
    actor = actor[0] if isinstance(actor, list) and actor else actor
    actor = actor.get("id") if isinstance(actor, dict) else actor
    return actor if isinstance(actor, str) else None


async def _remote_for(stack: contextlib.AsyncExitStack, remotes: dict, original_origin: str) -> FakeRemote:
    """One loopback server per original origin, so that actors of different servers stay apart."""
    if original_origin not in remotes:
        remotes[original_origin] = await stack.enter_async_context(serving())
    return remotes[original_origin]


async def test_inbox_real_fixtures_never_get_a_5xx(fed_app, fed_client, caplog):
    assert len(FIXTURES) > 50
    await member(fed_app, "carol")
    statuses, remotes = {}, {}
    async with contextlib.AsyncExitStack() as stack:
        await _post_fixtures(fed_app, fed_client, stack, remotes, statuses)
    assert all(status < 500 for status in statuses.values()), statuses
    assert list(statuses.values()).count(202) == len(statuses), statuses
    assert "unexpected failure" not in caplog.text
    async with fed_app.state.sessions() as session:
        states = set((await session.execute(select(InboxItem.state))).scalars())
    assert states <= {"done", "failed", "queued"}


async def _post_fixtures(fed_app, fed_client, stack, remotes, statuses) -> None:
    for path in FIXTURES:
        text = path.read_text()
        actor_id = _actor_id(json.loads(text))
        if actor_id is None:
            continue
        remote = await _remote_for(stack, remotes, origin(actor_id))
        relocated = json.loads(text.replace(origin(actor_id), remote.base))
        actor_path = urlsplit(_actor_id(relocated)).path
        signer = remote.actor(actor_path.rstrip("/").rsplit("/", 1)[-1] or "actor", path=actor_path)
        response = await deliver(fed_client, signer, relocated)
        statuses[str(path.relative_to(path.parents[2]))] = response.status_code
    await drain(fed_app)  # while the remotes still answer
