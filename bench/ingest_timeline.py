"""Inbox processing: queued Create(Note)s from followed remote actors drained into home timelines.

    python bench/ingest_timeline.py [--activities 10000] [--actors 50] [--members 20] [--followers 5]

SQLite in a temporary directory. `--actors` remote actors (stored, fresh: no network), each followed
by `--followers` of the `--members` local members; `--activities` InboxItems are queued as the
inbox would queue them, then the inbox runner (server.jobs.inbox) drains them. Reported: activities
processed per second, with posts and timeline entries counted afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from server.db.migrate import migrate  # noqa: E402
from server.db.models import Actor, Follow, HomeTimelineEntry, InboxItem, Post  # noqa: E402
from server.db.types import utcnow  # noqa: E402
from server.jobs.inbox import InboxRunner  # noqa: E402
from server.runtime import Runtime  # noqa: E402
from server.services.accounts.members import NewAccount, create_account  # noqa: E402
from server.settings import load_settings  # noqa: E402

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PEM = "-----BEGIN PUBLIC KEY-----\nnot used: no signature is checked here\n-----END PUBLIC KEY-----\n"


def create(actor: str, n: int) -> dict:
    note_id = f"{actor}/statuses/{n}"
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": note_id + "/activity", "type": "Create",
            "actor": actor, "to": [PUBLIC], "cc": [actor + "/followers"],
            "object": {"id": note_id, "type": "Note", "attributedTo": actor,
                       "published": f"2024-05-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                       "to": [PUBLIC], "cc": [actor + "/followers"],
                       "content": f"<p>Case conference notes, part {n}. <a href=\"https://example.org/x\">link</a></p>",
                       "tag": [{"type": "Hashtag", "name": "#cardiology"}]}}


async def seed(runtime: Runtime, args) -> None:
    async with runtime.sessions() as session:
        members = []
        for i in range(args.members):
            account = await create_account(session, runtime.urls, runtime.settings.domain,
                                           NewAccount(username=f"member{i}", email=f"member{i}@example.org"))
            members.append(account.actor)
        remotes = []
        for i in range(args.actors):
            uri = f"https://remote{i % 10}.example/users/doc{i}"
            remote = Actor(uri=uri, local=False, username=f"doc{i}", domain=f"remote{i % 10}.example",
                           inbox=uri + "/inbox", followers_url=uri + "/followers", public_key_id=uri + "#main-key",
                           public_key_pem=PEM, fetched_at=utcnow())
            session.add(remote)
            remotes.append(remote)
        await session.flush()
        for i, remote in enumerate(remotes):
            for k in range(args.followers):
                member = members[(i + k) % len(members)]
                session.add(Follow(follower_id=member.id, followed_id=remote.id, state="accepted",
                                   uri=f"{member.uri}/follows/{remote.id}"))
        for n in range(args.activities):
            actor = remotes[n % len(remotes)].uri
            activity = create(actor, n)
            session.add(InboxItem(activity_uri=activity["id"], signer=actor, activity=activity))
        await session.commit()


async def count(runtime: Runtime, model) -> int:
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def run(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="curbside-timeline-"))
    settings = load_settings({"CURBSIDE_DATA_DIR": str(work), "CURBSIDE_DOMAIN": "curbside.example",
                              "CURBSIDE_LOG_LEVEL": "WARNING"})
    runtime = Runtime.create(settings)
    try:
        await migrate(runtime.engine)
        await seed(runtime, args)
        runner = InboxRunner(batch_size=args.batch)
        start = time.perf_counter()
        cpu_start = time.process_time()
        handled = 0
        while done := await runner.run_once(runtime):
            handled += done
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        posts, entries = await count(runtime, Post), await count(runtime, HomeTimelineEntry)
    finally:
        await runtime.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"cpu_count={os.cpu_count()}  activities={args.activities}  actors={args.actors}  "
          f"members={args.members}  followers per actor={args.followers}  batch={args.batch}")
    print(f"handled={handled}  posts={posts}  home timeline entries={entries}")
    print(f"processed: {handled / seconds:,.0f} activities/s over {seconds:.1f}s "
          f"({entries / seconds:,.0f} timeline entries/s); CPU {cpu / handled * 1e6:.0f} us per activity "
          f"(this process, all threads)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--followers", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    if os.environ.get("BENCH_UVLOOP"):
        import uvloop
        return uvloop.run(run(args))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
