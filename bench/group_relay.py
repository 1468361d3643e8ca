"""A group relays a new thread: 2,000 remote followers on 200 domains, one shared inbox each (issue 16).

    python bench/group_relay.py [--followers 2000] [--domains 200]

A real `curbside serve` (its default in-process worker, SQLite) hosts an open group `heart`; 2,000 remote actors
follow it, spread over 200 "domains": 200 loopback ports of a receiver process (localhost:PORT, each with a shared
inbox), reached through the guarded client as in development (CURBSIDE_ALLOW_PRIVATE_ADDRESSES, as the
integration tests run; nothing else is relaxed). A local member starts a thread by mentioning the group through
the client API; the group wraps the Create in an Announce and queues one delivery per shared inbox.

The bench counts the POSTs received (exactly one per domain is required), verifies every signature with the
group's public key fetched from its actor document (as a remote would), checks each body is the group's
Announce of the thread, and times the first and last POST from the moment the client sent the status.
"""
from __future__ import annotations

import argparse
import asyncio
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
            request_line, *lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.split(":", 1) for line in lines if ":" in line)
            headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            method, target, _ = request_line.split(" ", 2)
            print(json.dumps({"at": time.time(), "port": port, "method": method, "target": target,
                              "headers": headers, "body": body.decode()}), flush=True)
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def receive(count: int) -> None:
    await listen(count, _serve_inbox)


# --- the sending side --------------------------------------------------------------------------

async def add_followers(settings, group_uri: str, ports: list[int], followers: int) -> None:
    """`followers` remote actors, spread over the ports, following the group (accepted)."""
    from sqlalchemy import select

    from server.db.models import Actor, Follow
    from server.runtime import Runtime

    runtime = Runtime.create(settings)
    try:
        async with runtime.sessions() as session:
            group = (await session.execute(select(Actor).where(Actor.uri == group_uri))).scalar_one()
            remotes = []
            for i in range(followers):
                domain = f"localhost:{ports[i % len(ports)]}"
                uri = f"http://{domain}/users/f{i}"
                remotes.append(Actor(uri=uri, username=f"f{i}", domain=domain, inbox=f"{uri}/inbox",
                                     shared_inbox=f"http://{domain}/inbox"))
            session.add_all(remotes)
            await session.flush()
            session.add_all(Follow(follower_id=r.id, followed_id=group.id, uri=f"{r.uri}/follows/1",
                                   state="accepted") for r in remotes)
            await session.commit()
    finally:
        await runtime.close()


async def collect(receiver: asyncio.subprocess.Process, expected: int, timeout: float) -> list[dict]:
    """The requests received, until `expected` arrived (plus a grace second for extras) or timeout."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wait = deadline - time.monotonic() if len(got) < expected else 1.0
        try:
            line = await asyncio.wait_for(receiver.stdout.readline(), wait)
        except asyncio.TimeoutError:
            break
        if not line:
            raise SystemExit("the receiver died")
        got.append(json.loads(line))
    return got


async def verified(requests: list[dict], actor_doc: dict, thread_uri: str) -> int:
    """How many requests carry a valid signature by the group's key and its Announce of the thread."""
    from federation.signature_primitives import PublicKeyInfo
    from federation.signatures import verify_request

    key = PublicKeyInfo(actor_doc["publicKey"]["id"], actor_doc["id"], actor_doc["publicKey"]["publicKeyPem"])

    async def resolve(key_id: str, refresh: bool) -> PublicKeyInfo | None:
        return key if key_id == key.key_id else None

    good = 0
    for r in requests:
        body = r["body"].encode()
        signer = await verify_request(r["method"], r["target"], r["headers"], body, resolve)
        activity = json.loads(body)
        if signer.owner == actor_doc["id"] and activity["type"] == "Announce" \
                and activity["object"]["object"]["id"] == thread_uri:
            good += 1
    return good


def start_instance(tmp: Path):
    from tests.support.instances import Instance

    instance = Instance(tmp / "data", env={"CURBSIDE_LOG_LEVEL": "WARNING"})
    instance.start()
    instance.cli("groups", "create", "heart", "--title", "Heart failure")
    return instance


async def run(args: argparse.Namespace, tmp: Path, receiver: asyncio.subprocess.Process, ports: list[int]) -> None:
    import httpx

    from server.settings import load_settings

    instance = start_instance(tmp)
    try:
        settings = load_settings({k: v for k, v in instance.env.items() if k.startswith("CURBSIDE_")})
        group_uri = f"{instance.base_url}/groups/heart"
        await add_followers(settings, group_uri, ports, args.followers)
        author = instance.member("author")
        actor_doc = httpx.get(group_uri, headers={"Accept": "application/activity+json"}).json()
        await asyncio.sleep(1.0)  # the worker settles into its idle wait
        started = time.time()
        thread = await asyncio.to_thread(author.status, f"@heart@{instance.domain} Diuretic resistance: "
                                                        "what do you add after a loop diuretic?")
        answered = time.time()
        requests = await collect(receiver, args.domains, timeout=30)
    finally:
        instance.stop()
    report(args, requests, await verified(requests, actor_doc, thread["uri"]), started, answered)


def report(args: argparse.Namespace, requests: list[dict], good: int, started: float, answered: float) -> None:
    times = sorted(r["at"] for r in requests)
    per_domain = len({r["port"] for r in requests})
    print(f"configuration: curbside serve (default in-process worker), SQLite; cores: {os.cpu_count()}; "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"followers: {args.followers} on {args.domains} domains")
    print(f"POSTs received: {len(requests)} (expected {args.domains}), domains reached: {per_domain}")
    print(f"signatures verified with the group's key (Announce of the thread): {good}/{len(requests)}")
    print(f"status API answered after: {answered - started:.3f} s")
    if times:
        print(f"status sent -> first POST received: {times[0] - started:.3f} s")
        print(f"status sent -> last POST received: {times[-1] - started:.3f} s")
    ok = len(requests) == per_domain == args.domains == good and times and times[-1] - started <= 2.0
    print("PASS" if ok else "FAIL (wanted exactly one signed POST per domain, the last within 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--domains", type=int, default=200)
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    asyncio.run(receive(args.receiver) if args.receiver else bench(args))


async def bench(args: argparse.Namespace) -> None:
    receiver = await asyncio.create_subprocess_exec(sys.executable, __file__, "--receiver", str(args.domains),
                                                    stdout=subprocess.PIPE, limit=2 ** 22)
    try:
        ports = json.loads(await receiver.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            await run(args, Path(tmp), receiver, ports)
    finally:
        receiver.kill()
        await receiver.wait()


if __name__ == "__main__":
    main()
