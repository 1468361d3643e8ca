"""Inbox ingest: signed 2 KB Create(Note) POSTs to the shared inbox of a real `curbside serve` on SQLite.

    python bench/inbox_ingest.py [--requests 20000] [--connections 16] [--actors 50] [--no-worker] [--reactions 0.5]

`serve` runs as shipped: its worker processes drain the queue into home timelines while the
requests arrive (`--no-worker`: CURBSIDE_INPROCESS_WORKER=false, ingest only), at the default log
level (INFO: one access line per request). 50 remote actors are stored beforehand with fresh keys
(fetched_at now), each followed by 5 of 20 local members, so keys come from the
database and then the server's key cache, never from the network. Requests are signed in advance;
a separate load-generator process keeps `--connections` keep-alive connections busy with a small
raw-asyncio HTTP/1.1 client (cheaper than httpx, so that the server is what is measured). Reported:
requests accepted (202) and stored (rows counted afterwards) per second, latency percentiles, and the
CPU time per request of the server (all its processes) and of the load generator, which vary far less
than rates on a shared machine. `--reactions 0.5`: half of the requests are Likes of members' posts and boosts of
posts received in the warm-up instead (what a member's popular post brings). `--profile FILE` samples the server
with py-spy during the run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import pickle
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from federation.keys import generate_rsa_keypair  # noqa: E402
from federation.signatures import sign_request  # noqa: E402

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def actors(n: int) -> list[dict]:
    found = []
    for i in range(n):
        private, public = generate_rsa_keypair()
        uri = f"https://remote{i % 10}.example/users/member{i}"
        found.append({"uri": uri, "username": f"member{i}", "domain": f"remote{i % 10}.example",
                      "private": private, "public": public})
    return found


async def seed(database_url: str, people: list[dict], domain: str, members: int = 20, follows: int = 5) -> None:
    from server.db.engine import make_engine, make_sessionmaker
    from server.db.models import Actor, Follow
    from server.db.types import utcnow
    from server.services.accounts.members import NewAccount, create_account
    from server.urls import LocalUrls

    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        locals_ = [(await create_account(session, LocalUrls(f"http://{domain}"), domain,
                                         NewAccount(username=f"local{i}", email=f"local{i}@example.org"))).actor
                   for i in range(members)]
        for i, p in enumerate(people):
            remote = Actor(uri=p["uri"], local=False, username=p["username"], domain=p["domain"],
                           inbox=p["uri"] + "/inbox", shared_inbox=f"https://{p['domain']}/inbox",
                           followers_url=p["uri"] + "/followers", public_key_id=p["uri"] + "#main-key",
                           public_key_pem=p["public"], fetched_at=utcnow())
            session.add(remote)
            await session.flush()
            for k in range(follows):
                member = locals_[(i + k) % members]
                session.add(Follow(follower_id=member.id, followed_id=remote.id, state="accepted",
                                   uri=f"{member.uri}/follows/{remote.id}"))
        await session.commit()
    await engine.dispose()


def create_body(actor: str, n: int) -> bytes:
    note_id = f"{actor}/statuses/{n}"
    text = ("Grand rounds moved to Thursday; bring the case notes. " * 40)[:1500]
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": note_id + "/activity",
                "type": "Create", "actor": actor, "published": "2024-05-01T10:00:00Z",
                "to": [PUBLIC], "cc": [actor + "/followers"],
                "object": {"id": note_id, "type": "Note", "attributedTo": actor, "published": "2024-05-01T10:00:00Z",
                           "to": [PUBLIC], "cc": [actor + "/followers"], "content": f"<p>{text} #{n}</p>"}}
    return json.dumps(activity).encode()


def reaction_body(actor: str, n: int, liked: str, boosted: str) -> str:
    """A Like of the local post `liked` or (every other one) a public Announce of the remote post `boosted`, by
    `actor`: what other servers send us (Mastodon sends a Like only to the liked post's server)."""
    kind = "Announce" if n % 2 else "Like"
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/{kind.lower()}s/{n}",
                "type": kind, "actor": actor, "object": boosted if kind == "Announce" else liked}
    if kind == "Announce":
        activity.update(published="2024-05-01T11:00:00Z", to=[PUBLIC], cc=[actor + "/followers"])
    return json.dumps(activity)


async def local_posts(database_url: str, count: int) -> list[str]:
    """`count` public posts by the local members (seeded), for remote actors to like; their ids."""
    from sqlalchemy import select

    from server.db.engine import make_engine, make_sessionmaker
    from server.db.ids import snowflake
    from server.db.models import Actor, Post

    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        members = list((await session.scalars(select(Actor).where(Actor.local.is_(True)))).all())
        posts = [Post(id=snowflake(), uri=f"{members[n % len(members)].uri}/statuses/{n}", local=True,
                      author_id=members[n % len(members)].id, visibility="public", content_html="<p>a case</p>")
                 for n in range(count)]
        session.add_all(posts)
        await session.commit()
    await engine.dispose()
    return [post.uri for post in posts]


def presign(people: list[dict], count: int, domain: str, offset: int, reactions: float = 0.0,
            liked: list[str] = (), boosted: list[str] = ()) -> list[bytes]:
    """`count` signed inbox POSTs: Creates, and with `reactions` that share of Likes of the `liked` posts and
    boosts of the `boosted` ones, spread evenly."""
    url = f"http://{domain}/inbox"
    out, owed = [], 0.0
    for n in range(offset, offset + count):
        person = people[n % len(people)]
        owed += reactions
        if owed >= 1:
            owed -= 1
            body = reaction_body(person["uri"], n, liked[n % len(liked)], boosted[n % len(boosted)]).encode()
        else:
            body = create_body(person["uri"], n)
        headers = sign_request("POST", url, {"Content-Type": "application/activity+json"}, body,
                               person["uri"] + "#main-key", person["private"])
        head = "POST /inbox HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out.append((head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    return out


async def _connection(port: int, requests: list[bytes], latencies: list[float], statuses: dict,
                      interval: float = 0.0) -> None:
    """Send `requests` one after the other; with `interval`, one every `interval` seconds at most."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = time.perf_counter()
    for raw in requests:
        if interval:
            due += interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        start = time.perf_counter()
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        status = int(head.split(b" ", 2)[1])
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


def _schedstat() -> tuple[float, float]:
    """(seconds on a core, seconds waiting for one) of this process's threads so far (Linux schedstat)."""
    try:
        threads = [task.joinpath("schedstat").read_text().split() for task in Path("/proc/self/task").iterdir()]
    except FileNotFoundError:
        return 0.0, 0.0
    return sum(int(t[0]) for t in threads) / 1e9, sum(int(t[1]) for t in threads) / 1e9


def load(port: int, path: str, connections: int, result_path: str, rate: float = 0.0) -> None:
    """The load generator (a separate process): all connections busy until every request is answered
    (with `rate`: that many requests a second in all, at most)."""
    requests = pickle.loads(Path(path).read_bytes())

    async def run() -> dict:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        shares = [requests[i::connections] for i in range(connections)]
        interval = connections / rate if rate else 0.0
        start, started, before = time.perf_counter(), time.time(), _schedstat()
        await asyncio.gather(*(_connection(port, share, latencies, statuses, interval) for share in shares))
        seconds = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_SELF)
        during = [after - then for after, then in zip(_schedstat(), before)]
        return {"seconds": seconds, "latencies": latencies, "statuses": statuses,
                "cpu": used.ru_utime + used.ru_stime, "started": started,
                "run_cpu": during[0], "run_wait": during[1]}  # of the requests only: on a core, waiting for one

    Path(result_path).write_bytes(pickle.dumps(asyncio.run(run())))


def drive(port: int, requests: list[bytes], connections: int, work: Path, rate: float = 0.0,
          alongside=None) -> dict:
    """Send `requests` from a separate process; `alongside()` runs here meanwhile (its result: "alongside")."""
    (work / "requests.pickle").write_bytes(pickle.dumps(requests))
    process = multiprocessing.get_context("spawn").Process(
        target=load, args=(port, str(work / "requests.pickle"), connections, str(work / "result.pickle"), rate))
    process.start()
    beside = alongside() if alongside else None
    process.join()
    return {**pickle.loads((work / "result.pickle").read_bytes()), "alongside": beside}


async def count_rows(database_url: str) -> int:
    from sqlalchemy import func, select

    from server.db.engine import make_engine
    from server.db.models import InboxItem

    engine = make_engine(database_url)
    async with engine.connect() as conn:
        rows = await conn.scalar(select(func.count()).select_from(InboxItem))
    await engine.dispose()
    return rows


async def queue_state(database_url: str) -> tuple[int, float]:
    """(items still queued, age in seconds of the oldest of them)."""
    from sqlalchemy import func, select

    from server.db.engine import make_engine
    from server.db.models import InboxItem
    from server.db.types import utcnow

    engine = make_engine(database_url)
    async with engine.connect() as conn:
        waiting, oldest = (await conn.execute(select(func.count(), func.min(InboxItem.received_at))
                                              .where(InboxItem.state == "queued"))).one()
    await engine.dispose()
    if oldest is None:
        return waiting, 0.0
    oldest = oldest if isinstance(oldest, datetime) else datetime.fromisoformat(oldest)
    return waiting, (utcnow().replace(tzinfo=None) - oldest.replace(tzinfo=None)).total_seconds()


async def drained_until_empty(database_url: str, timeout: float) -> float | None:
    """Seconds until nothing is queued any more (None: still something after `timeout`)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if (await queue_state(database_url))[0] == 0:
            return time.perf_counter() - start
        await asyncio.sleep(0.2)
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (`serve --workers N`
    runs N web processes under a supervisor, and serve's queue worker processes), from Linux /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    return own + sum(cpu_seconds(int(child)) for child in children)


def profile(pid: int, path: str) -> subprocess.Popen:
    """py-spy (pip install py-spy) sampling `pid` with its threads until interrupted."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen([spy, "record", "-p", str(pid), "--threads",
                             "-r", "250", "-f", "raw", "-o", path], stdout=subprocess.DEVNULL)


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    import httpx

    log = open(Path(env["CURBSIDE_DATA_DIR"]) / "serve.log", "ab")
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port),
                               "--workers", str(workers)], env=env,
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="curbside serve --workers")
    parser.add_argument("--no-worker", action="store_true",
                        help="CURBSIDE_INPROCESS_WORKER=false: ingest only (default: serve drains the queue too, "
                             "as shipped)")
    parser.add_argument("--log-level", default="INFO", help="the server's CURBSIDE_LOG_LEVEL (default INFO, as "
                        "shipped: one access line per request)")
    parser.add_argument("--reactions", type=float, default=0.0, metavar="SHARE",
                        help="that share of the requests are Likes of members' posts and boosts of the warm-up's "
                             "posts (default 0: Creates only)")
    parser.add_argument("--profile", metavar="FILE",
                        help="sample the server with py-spy during the measured run (raw stacks to FILE)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="curbside-ingest-"))
    port = free_port()
    domain = f"localhost:{port}"
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(work), "CURBSIDE_DOMAIN": domain, "CURBSIDE_ALLOW_HTTP": "true",
           "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true", "CURBSIDE_LOG_LEVEL": args.log_level, "PYTHONPATH": str(ROOT),
           "CURBSIDE_INPROCESS_WORKER": "false" if args.no_worker else "true"}
    database_url = f"sqlite+aiosqlite:///{work / 'curbside.db'}"
    subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    people = actors(args.actors)
    asyncio.run(seed(database_url, people, domain))
    warmup = presign(people, 1000, domain, offset=10_000_000)
    liked = asyncio.run(local_posts(database_url, 200)) if args.reactions else []
    boosted = [f"{people[n % len(people)]['uri']}/statuses/{n}" for n in range(10_000_000, 10_001_000)]
    requests = presign(people, args.requests, domain, offset=0, reactions=args.reactions, liked=liked,
                       boosted=boosted)
    server = start_server(env, port, args.workers)
    try:
        drive(port, warmup, args.connections, work)
        if args.reactions and not args.no_worker:  # the boosted posts are stored before they are boosted
            asyncio.run(drained_until_empty(database_url, 120))
        before, cpu_before = asyncio.run(count_rows(database_url)), cpu_seconds(server.pid)
        spy = profile(server.pid, args.profile) if args.profile else None
        result = drive(port, requests, args.connections, work)
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        stored = asyncio.run(count_rows(database_url)) - before
        waiting, age = asyncio.run(queue_state(database_url))
        drained = None if args.no_worker else asyncio.run(drained_until_empty(database_url, 120))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    latencies = sorted(result["latencies"])
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    accepted = result["statuses"].get(202, 0)
    print(f"cpu_count={os.cpu_count()}  requests={args.requests}  connections={args.connections}  "
          f"body={len(create_body(people[0]['uri'], 0))} bytes  actors={args.actors}  "
          f"serve workers={args.workers}  queue worker={not args.no_worker}  reactions={args.reactions:.0%}  "
          f"log level={args.log_level}")
    print(f"statuses={result['statuses']}  stored rows={stored}")
    print(f"accepted and stored: {min(accepted, stored) / result['seconds']:,.0f}/s over {result['seconds']:.1f}s")
    print(f"CPU per request: server {server_cpu / args.requests * 1e6:.0f} us "
          f"(busy {server_cpu / result['seconds']:.0%} of one core), "
          f"load generator {result['cpu'] / args.requests * 1e6:.0f} us "
          f"(busy {result['cpu'] / result['seconds']:.0%}: not the bottleneck while well under 100%)")
    print(f"at the end of the run: {waiting} activities still queued, the oldest for {age:.1f}s"
          + ("" if args.no_worker else f"; queue empty {drained:.1f}s later" if drained is not None
             else "; not empty 120 s later"))
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    print(f"latency ms: p50={pct(0.50):.1f}  p90={pct(0.90):.1f}  p99={pct(0.99):.1f}  max={latencies[-1] * 1000:.1f}")


if __name__ == "__main__":
    main()
