"""Scaling on PostgreSQL: does anything serialise on one process or one lock as processes are added?

    python bench/scaling.py [--activities 2000] [--posts 1500] [--gets 2000] [--connections 16]

One throwaway PostgreSQL (tests/support/postgres.py), a fresh database per run, real processes:
- ingest to timeline: `--activities` Create(Note)s (bench/ingest_timeline.py's) of followed remote actors
  (stored keys), made due in one commit that tells the workers (as the inbox does: server/wakeups.py), drained into
  home timelines by 1, 2 and 4 `curbside worker` processes; timed from that commit until nothing is queued. The
  workers are started and listening first, and each has drained a batch before (a process's first batch prepares
  its statements and imports its handlers): start-up is not in the figure;
- inbox ingest: `--posts` signed 2 KB Create(Note) POSTs (bench/inbox_ingest.py's) to one `curbside serve`
  with 1, 2 and 4 queue worker processes (listening before the first POST), from the first request sent until
  accepted (the load generator's own clock) and until drained into timelines;
- GET throughput: unsigned ActivityPub GETs of outbox pages (read from the database, not cached) from
  `serve --workers 1` and `--workers 2` (each web process listening on its own socket), after a warm-up, with how
  many of the client's keep-alive connections each web process held.
Printed side by side with the core count: rate; each process's share of a core over the measured window, as
"on a core / waiting for one" (from /proc/PID/task/*/schedstat: a process with little of the first and much of the
second was starved by the machine, not waiting on anything), the load generator's too, PostgreSQL's backends in
all; and lock waits sampled every 0.1 s from pg_stat_activity (backends waiting on a heavyweight lock, on an
LWLock) and pg_locks (locks not granted). On a 2-core machine the rate flattens early; the point is that CPU
spreads over the processes and nothing queues on a lock.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from argparse import Namespace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import inbox_ingest  # noqa: E402
import ingest_timeline  # noqa: E402

from server import wakeups  # noqa: E402
from server.db.engine import make_engine  # noqa: E402
from server.db.migrate import migrate  # noqa: E402
from tests.support.postgres import PostgresCluster, find_bindir  # noqa: E402

READY = 180.0  # seconds for the worker processes to start (each imports the application) on a busy machine
LISTENING = "SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND query LIKE 'LISTEN %{channel}%'"
LOCKS = ("SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') || '|' || "
         "count(*) FILTER (WHERE wait_event_type = 'LWLock') || '|' || "
         "(SELECT count(*) FROM pg_locks WHERE NOT granted) "
         "FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()")


def cpu(pid: int) -> tuple[float, float]:
    """(seconds on a core, seconds runnable but waiting for one) of `pid`'s threads so far (schedstat): a process
    that looks idle is either waiting for a core (the machine is busy) or waiting on something (a lock, a poll)."""
    try:
        threads = [task.joinpath("schedstat").read_text().split() for task in Path(f"/proc/{pid}/task").iterdir()]
    except FileNotFoundError:
        return 0.0, 0.0
    return sum(int(t[0]) for t in threads) / 1e9, sum(int(t[1]) for t in threads) / 1e9


def tree(pid: int) -> list[int]:
    """`pid` and its live descendants (serve's web and queue worker processes)."""
    try:
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except FileNotFoundError:
        return []
    return [pid] + [p for child in children for p in tree(child)]


def postmaster(cluster: PostgresCluster) -> int:
    return int((cluster.datadir / "postmaster.pid").read_text().split()[0])


def role(pid: int) -> str:
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:  # ended meanwhile (a PostgreSQL backend, a psql)
        return "other"
    if b"worker" in line:
        return "worker"
    return "web" if b"multiprocessing" in b" ".join(line) or b"serve" in line else "other"


class Sampler:
    """Lock waits, sampled from PostgreSQL every 0.1 s, and each process's CPU over the run."""

    def __init__(self, cluster: PostgresCluster, db: str, roots: list[int], port: int | None = None):
        self.cluster, self.db, self.roots, self.port = cluster, db, roots, port
        self.connections: dict[int, set[str]] = {}  # web process -> client connections seen (with `port`)
        self.samples = [0, 0, 0, 0]  # samples, with a lock wait, with an LWLock wait, with a lock not granted
        self.stopping = threading.Event()

    def __enter__(self) -> "Sampler":
        self.roots = self.roots + [postmaster(self.cluster)]
        self.pids = [p for root in self.roots for p in tree(root)]
        self.before = {p: cpu(p) for p in self.pids}
        self.roles = {p: role(p) for p in self.pids}
        self.start = time.perf_counter()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        asyncio.run(self._sampling())

    async def _sampling(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(host="127.0.0.1", port=self.cluster.port, user="postgres", database=self.db)
        try:
            while not self.stopping.wait(0.1):
                lock, lwlock, waiting = map(int, (await connection.fetchval(LOCKS.format(db=self.db))).split("|"))
                self.samples[0] += 1
                self.samples[1] += lock > 0
                self.samples[2] += lwlock > 0
                self.samples[3] += waiting > 0
                if self.port:
                    self._connections()
        finally:
            await connection.close()

    def _connections(self) -> None:
        """Which web process holds each client connection (keep-alive pins a connection to the process that
        accepted it)."""
        listing = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{self.port} )"],
                                 capture_output=True, text=True).stdout
        for line in listing.splitlines():
            for pid in re.findall(r"pid=(\d+)", line):
                self.connections.setdefault(int(pid), set()).add(line.split()[3])

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
        self.stopping.set()
        self.thread.join()
        # the processes of the run, and PostgreSQL's (backends started during the run included)
        pids = {p for root in self.roots for p in tree(root)}
        zero = (0.0, 0.0)
        self.used = {p: tuple(now - then for now, then in zip(cpu(p), self.before.get(p, zero))) for p in pids}
        self.roles.update({p: "postgres" for p in tree(self.roots[-1])})
        self.load = os.getloadavg()[0]

    def cpu_line(self, seconds: float | None = None, client: dict | None = None) -> str:
        """Each process's share of a core over `seconds` (the measured window; the sampling's by default): on a core
        / waiting for one; with `client`, the load generator's too (its result)."""
        seconds = seconds or self.seconds
        if client:
            self.used[-1] = (client["run_cpu"], client["run_wait"])
            self.roles[-1] = "client"
        busy = {p: (run / seconds, wait / seconds) for p, (run, wait) in self.used.items()}
        shown = [(self.roles.get(p, "other"), run, wait) for p, (run, wait) in busy.items() if run >= 0.02]
        own = ", ".join(f"{r} {run:.0%}/{wait:.0%}" for r, run, wait in sorted(shown, key=lambda x: (x[0], -x[1]))
                        if r != "postgres")
        database = [sum(b[i] for p, b in busy.items() if self.roles.get(p) == "postgres") for i in (0, 1)]
        return (f"{own}  | PostgreSQL (all backends) {database[0]:.0%}/{database[1]:.0%}  "
                f"| load average {self.load:.1f}")

    def spread(self) -> str:
        counts = sorted((len(seen) for pid, seen in self.connections.items() if self.roles.get(pid) == "web"),
                        reverse=True)
        return " + ".join(map(str, counts)) or "none seen"

    def lock_line(self) -> str:
        n = max(1, self.samples[0])
        return (f"lock {self.samples[1] / n:.0%}  lwlock {self.samples[2] / n:.0%}  "
                f"not granted {self.samples[3] / n:.0%} of {self.samples[0]} samples")


def environment(url: str, port: int, work: Path, inprocess: bool) -> dict:
    return {**os.environ, "CURBSIDE_DATABASE_URL": url, "CURBSIDE_DATA_DIR": str(work),
            "CURBSIDE_DOMAIN": f"localhost:{port}", "CURBSIDE_ALLOW_HTTP": "true",
            "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true", "CURBSIDE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            "CURBSIDE_INPROCESS_WORKER": "true" if inprocess else "false", "CURBSIDE_API_RATE_LIMIT": "0"}


class Bench:
    def __init__(self, cluster: PostgresCluster, work: Path, args: Namespace):
        self.cluster, self.work, self.args, self.made = cluster, work, args, 0
        self.rows: list[tuple[str, str, str, str]] = []

    def database(self) -> tuple[str, str]:
        self.made += 1
        name = f"run{self.made}"
        self.cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_bench")
        (self.work / name).mkdir()
        return name, self.cluster.url(name)

    def wait_listening(self, db: str, workers: int) -> None:
        """Until `workers` worker processes listen for queued work: started, and woken by the commit that queues."""
        deadline = time.monotonic() + READY
        query = LISTENING.format(db=db, channel=wakeups.CHANNEL)
        while int(self.cluster.query(query, db)) < workers:
            if time.monotonic() > deadline:
                raise SystemExit(f"the {workers} worker processes did not start in {READY:.0f} s")
            time.sleep(0.2)

    def ingest_to_timeline(self, workers: int) -> None:
        db, url = self.database()
        env = environment(url, self.port, self.work / db, inprocess=False)
        log = open(self.work / db / "worker.log", "ab")
        processes = [subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], env=env, cwd=ROOT,
                                      stdout=log, stderr=subprocess.STDOUT) for _ in range(workers)]
        try:
            self.wait_listening(db, workers)
            # a batch (100) per worker first, so that each process has run the path once (statements prepared,
            # modules imported): the figure is the processes' pace, not their first batch's
            activities = self.args.activities
            asyncio.run(drain(url, self.people, range(activities, activities + 100 * workers)))
            asyncio.run(queue(url, self.people, range(activities)))  # stored, not due yet
            with Sampler(self.cluster, db, [p.pid for p in processes]) as sampled:
                seconds = asyncio.run(drain(url))  # one commit: all due at once, and the workers told
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
        self.rows.append((f"ingest to timeline, {workers} worker(s)", f"{activities / seconds:,.0f} activities/s",
                          sampled.cpu_line(seconds), sampled.lock_line()))

    def inbox_ingest(self, workers: int) -> None:
        db, url = self.database()
        env = environment(url, self.port, self.work / db, inprocess=True)
        server = start(env, self.port, "--queue-workers", str(workers))
        try:
            self.wait_listening(db, workers)
            with Sampler(self.cluster, db, [server.pid]) as sampled:
                result = inbox_ingest.drive(self.port, self.signed, self.args.connections, self.work)
                asyncio.run(drain(url, due=False))
                drained = time.time() - result["started"]  # from the first request sent
        finally:
            stop(server)
        ok = result["statuses"].get(202, 0)
        self.rows.append((f"inbox ingest, serve + {workers} worker(s)",
                          f"{ok / result['seconds']:,.0f} POSTs/s accepted, {ok / drained:,.0f}/s into timelines",
                          sampled.cpu_line(drained, result), sampled.lock_line()))

    def gets(self, web: int) -> None:
        db, url = self.database()
        port = self.port
        env = environment(url, port, self.work / db, inprocess=False)
        raw = [(f"GET /users/local{i % 20}/outbox?page=true HTTP/1.1\r\nHost: localhost:{port}\r\n"
                "Accept: application/activity+json\r\n\r\n").encode() for i in range(self.args.gets)]
        server = start(env, port, "--workers", str(web), "--queue-workers", "0")
        try:
            inbox_ingest.drive(port, raw[:200], self.args.connections, self.work)  # warm every process
            with Sampler(self.cluster, db, [server.pid], port=port) as sampled:
                result = inbox_ingest.drive(port, raw, self.args.connections, self.work)
        finally:
            stop(server)
        ok = result["statuses"].get(200, 0)
        self.rows.append((f"GET outbox pages, {web} web process(es)",
                          f"{ok / result['seconds']:,.0f} GETs/s, connections per web process {sampled.spread()}",
                          sampled.cpu_line(result["seconds"], result), sampled.lock_line()))


# 20 public posts for each local member, straight into the table (the outbox pages have something to show)
POSTS = """INSERT INTO posts (id, uri, author_id, local, visibility, content_html, sensitive, object_type, "to", cc,
 tags, attachments, replies_count, likes_count, boosts_count, published, created_at)
SELECT 1000000 + a.id * 100 + g, a.uri || '/statuses/' || g, a.id, true, 'public', '<p>Journal club ' || g || '</p>',
 false, 'Note', '[]', '[]', '[]', '[]', 0, 0, 0, now(), now()
FROM actors a, generate_series(1, 20) g WHERE a.local AND a.username LIKE 'local%'"""


def start(env: dict, port: int, *extra: str) -> subprocess.Popen:
    import httpx

    log = open(Path(env["CURBSIDE_DATA_DIR"]) / "serve.log", "ab")
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port), *extra], env=env,
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    web = int(extra[extra.index("--workers") + 1]) if "--workers" in extra else 1
    deadline = time.monotonic() + READY
    while time.monotonic() < deadline:
        try:
            if listening(port) >= web and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                time.sleep(1.0)  # every web process idle again
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("serve did not start: " + (Path(env["CURBSIDE_DATA_DIR"]) / "serve.log").read_text()[-2000:])


def listening(port: int) -> int:
    """How many sockets listen on `port` (each web process has its own): a connection made while one is still
    starting cannot reach it, and keep-alive would keep it on another for the whole run."""
    rows = [line.split() for table in ("/proc/net/tcp", "/proc/net/tcp6")
            for line in Path(table).read_text().splitlines()[1:]]
    return sum(1 for row in rows if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == port)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=60)


async def migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def queue(url: str, people: list[dict], numbers: range) -> None:
    """Create(Note)s of the followed remote actors, stored as the inbox stores them (signature checked) but due only
    in a day: `drain` makes them due."""
    from server.db.engine import make_sessionmaker
    from server.db.models import InboxItem

    later = datetime.now(timezone.utc) + timedelta(days=1)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            for n in numbers:
                actor = people[n % len(people)]["uri"]
                session.add(InboxItem(activity_uri=f"{actor}/statuses/{n}/activity", signer=actor, next_try_at=later,
                                      activity=ingest_timeline.create(actor, n)))
            await session.commit()
    finally:
        await engine.dispose()


async def drain(url: str, people: list[dict] | None = None, numbers: range = range(0), due: bool = True) -> float:
    """Queue `numbers` (with `people`), make every stored item due in one commit that tells the workers (as the
    inbox does: server.wakeups), and return the seconds from that commit until nothing is queued (polled every
    20 ms on one connection)."""
    import asyncpg

    if numbers:
        await queue(url, people or [], numbers)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        if due:
            async with connection.transaction():
                await connection.execute("UPDATE inbox_items SET next_try_at = now() WHERE state = 'queued'")
                await connection.execute("SELECT pg_notify($1, 'inbox')", wakeups.CHANNEL)
        committed = time.perf_counter()
        while await connection.fetchval("SELECT count(*) FROM inbox_items WHERE state = 'queued'"):
            if time.perf_counter() - committed > 300:
                raise SystemExit("the queue did not drain in 300 s")
            await asyncio.sleep(0.02)
        return time.perf_counter() - committed
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    cluster = PostgresCluster(find_bindir())
    cluster.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            # one seeded template (20 members following 50 remote actors with keys, 20 posts each), copied per run;
            # every run's serve listens on one port, so that the signed requests are made once
            cluster.psql("CREATE DATABASE template_bench")
            template = cluster.url("template_bench")
            asyncio.run(migrated(template))
            bench = Bench(cluster, Path(tmp), args)
            bench.port, bench.people = inbox_ingest.free_port(), inbox_ingest.actors(50)
            asyncio.run(inbox_ingest.seed(template, bench.people, f"localhost:{bench.port}"))
            cluster.psql(POSTS, "template_bench")
            bench.signed = inbox_ingest.presign(bench.people, args.posts, f"localhost:{bench.port}", offset=0)
            for n in map(int, args.workers.split(",")):
                bench.ingest_to_timeline(n)
            for n in map(int, args.workers.split(",")):
                bench.inbox_ingest(n)
            for n in (1, 2):
                bench.gets(n)
        finally:
            cluster.stop()
    print(f"cpu_count={os.cpu_count()}  load average at the end {os.getloadavg()[0]:.1f}  "
          f"(whole run {time.perf_counter() - started:.0f} s)")
    width = max(len(r[0]) for r in bench.rows)
    for name, rate, cpu_line, lock_line in bench.rows:
        print(f"{name:<{width}}  {rate}\n{'':<{width}}  CPU: {cpu_line}\n{'':<{width}}  waits: {lock_line}")


if __name__ == "__main__":
    main()
