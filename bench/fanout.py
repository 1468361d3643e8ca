"""Fan-out of one public post: 1,000 remote followers on 100 hosts, one shared inbox each.

    python bench/fanout.py [--mode inprocess|serve] [--hosts 100] [--followers 1000]

A receiver process listens on 100 loopback ports (each port is one remote "domain", localhost:PORT,
with a shared inbox) and reports every POST it gets. The bench creates a local member followed by
the 1,000 remote actors, queues the Create of one public post with `enqueue_activity` (one delivery
per shared inbox) and measures the POSTs received (must be exactly one per host) and the time from
the enqueue call to the last POST received.

--mode inprocess (default): a worker loop runs in the bench's process beside the app, and the bench
calls runtime.wake("deliveries"): the sending alone. --mode serve: a real `curbside serve` process
sends (its worker process); the bench queues from outside it, so the worker finds the work at its
next poll (up to 0.5 s later): the figure for a separate `curbside worker` too.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._loopback import listen  # noqa: E402 (after sys.path is set)

# --- the receiving side (a separate process) ---------------------------------------------------

async def _serve_inbox(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            activity_id = json.loads(body).get("id", "?")
            print(f"{time.time():.6f} {port} {activity_id}", flush=True)
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def receive(count: int) -> None:
    await listen(count, _serve_inbox)


# --- the sending side --------------------------------------------------------------------------

def bench_env(tmp: Path, port: int) -> dict[str, str]:
    return {"CURBSIDE_DATA_DIR": str(tmp / "data"), "CURBSIDE_DOMAIN": f"localhost:{port}",
            "CURBSIDE_ALLOW_HTTP": "true", "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true",
            "CURBSIDE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}


async def populate(runtime, ports: list[int], followers: int):
    """A local member followed by `followers` remote actors spread over the ports; returns the member."""
    from server.db.models import Actor, Follow
    from server.services.accounts.members import NewAccount, create_account

    async with runtime.sessions() as session:
        member = (await create_account(session, runtime.urls, runtime.settings.domain,
                                       NewAccount(username="author", email="author@example.org"))).actor
        remotes = []
        for i in range(followers):
            base = f"http://localhost:{ports[i % len(ports)]}"
            uri = f"{base}/users/f{i}"
            remotes.append(Actor(uri=uri, username=f"f{i}", domain=f"localhost:{ports[i % len(ports)]}",
                                 inbox=f"{uri}/inbox", shared_inbox=f"{base}/inbox"))
        session.add_all(remotes)
        await session.flush()
        session.add_all(Follow(follower_id=r.id, followed_id=member.id, uri=f"{r.uri}/follows/1",
                               state="accepted") for r in remotes)
        await session.commit()
        return member


def create_activity(member, post_id: int) -> dict:
    uri = f"{member.uri}/statuses/{post_id}"
    public = "https://www.w3.org/ns/activitystreams#Public"
    note = {"id": uri, "type": "Note", "attributedTo": member.uri, "content": "<p>Grand rounds at noon.</p>",
            "to": [public], "cc": [member.followers_url], "published": "2025-01-01T12:00:00Z"}
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{uri}/activity", "type": "Create",
            "actor": member.uri, "to": note["to"], "cc": note["cc"], "object": note}


async def enqueue_post(runtime, member) -> float:
    """Queue the post's Create to the member's followers, as a web request would; returns when it began."""
    from server.services.federation.delivery import enqueue_activity, remote_followers

    started = time.time()
    async with runtime.sessions() as session:
        await enqueue_activity(session, create_activity(member, 1), member,
                               recipients=await remote_followers(session, member.id))
        await session.commit()
    runtime.wake("deliveries")
    return started


async def collect(receiver: asyncio.subprocess.Process, expected: int, timeout: float) -> list[float]:
    """Arrival times of POSTs, until `expected` arrived (plus a grace period for extras) or timeout."""
    times: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wait = deadline - time.monotonic() if len(times) < expected else 0.5
        try:
            line = await asyncio.wait_for(receiver.stdout.readline(), wait)
        except asyncio.TimeoutError:
            break
        if not line:
            raise SystemExit("the receiver died")
        times.append(float(line.split()[0]))
    return times


@contextlib.asynccontextmanager
async def _with_worker(app):
    from server.jobs.worker import Worker, default_runners

    async with app.router.lifespan_context(app):
        worker = Worker(app.state.runtime, default_runners())
        task = asyncio.create_task(worker.run())
        try:
            yield
        finally:
            worker.stop()
            await task


async def run(args: argparse.Namespace, tmp: Path, receiver: asyncio.subprocess.Process, ports: list[int]) -> None:
    from server.app import create_app
    from server.db.engine import make_engine
    from server.db.migrate import migrate
    from server.runtime import Runtime
    from server.settings import load_settings
    from tests.support.instances import Instance

    instance = Instance(tmp / "data") if args.mode == "serve" else None
    env = bench_env(tmp, instance.port if instance else 8000)
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    await migrate(engine)
    await engine.dispose()
    if instance is not None:
        instance.env.update(env)
        instance.start()
        runtime, app, lifespan = Runtime.create(settings), None, contextlib.nullcontext()
    else:
        app = create_app(settings)
        lifespan = _with_worker(app)
    try:
        async with lifespan:
            if app is not None:
                runtime = app.state.runtime
            member = await populate(runtime, ports, args.followers)
            await asyncio.sleep(1.0)  # let the worker settle into its idle wait
            started = await enqueue_post(runtime, member)
            times = await collect(receiver, args.hosts, timeout=30)
            if instance is not None:
                await runtime.close()
    finally:
        if instance is not None:
            instance.stop()
    last = f"{max(times) - started:.3f} s" if times else "n/a"
    print(f"mode: {args.mode}; cpus: {os.cpu_count()}; followers: {args.followers} on {args.hosts} hosts")
    print(f"POSTs received: {len(times)} (expected {args.hosts})")
    print(f"enqueue -> last delivery received: {last}")
    if times:
        print(f"enqueue -> first delivery received: {min(times) - started:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["inprocess", "serve"], default="inprocess")
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    asyncio.run(receive(args.receiver) if args.receiver else bench(args))


async def bench(args: argparse.Namespace) -> None:
    receiver = await asyncio.create_subprocess_exec(sys.executable, __file__, "--receiver", str(args.hosts),
                                                    stdout=subprocess.PIPE)
    try:
        ports = json.loads(await receiver.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            await run(args, Path(tmp), receiver, ports)
    finally:
        receiver.kill()
        await receiver.wait()


if __name__ == "__main__":
    main()
