"""Home-timeline latency and throughput of the client API on SQLite.

    python bench/home_timeline.py [--posts 100000] [--follows 200] [--seconds 10] [--log-level INFO] [--workers 1]
                                  [--profile FILE]

A real `curbside serve` (one process, or --workers N); a member following 200 accounts; 100,000 posts by them (some
replies, boosts and mentions of the member) bulk-inserted with their home-timeline rows; then
GET /api/v1/timelines/home?limit=20 with a bearer token: p50/p99 at 1 connection and requests per second
at 8 connections, loaded by wrk (with a Lua script for the header), with the server's and wrk's CPU time per
request (utime + stime from /proc, all server processes): the figure that barely moves on a shared machine.
Rate limits stay on, with a budget too large to be reached, so their cost is measured.
Targets (issue 5): p50 <= 5 ms, p99 <= 20 ms at 1 connection; >= 1,000 requests/s at 8 connections.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402

from server.db.models import Actor, Follow, HomeTimelineEntry, Mention, Post  # noqa: E402
from tests.support.instances import Instance  # noqa: E402

TARGETS = {"p50": 5.0, "p99": 20.0, "rps": 1000.0}
WORDS = ("patient", "troponin", "echo", "ward", "round", "dose", "MRI", "sepsis", "audit", "consent", "trial",
         "cohort", "rota", "clinic", "referral", "guideline")


def seed(db: Path, member_username: str, domain: str, posts: int, follows: int) -> None:
    """Authors, follows, posts and the member's home timeline, inserted in bulk (sync SQLAlchemy Core)."""
    rng = random.Random(5)
    engine = create_engine(f"sqlite:///{db}")
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        member_id = conn.execute(select(Actor.id).where(Actor.username == member_username,
                                                        Actor.domain == domain)).scalar_one()
        authors = [{"uri": f"https://peer{i % 20}.example/users/doc{i}", "username": f"doc{i}",
                    "domain": f"peer{i % 20}.example", "display_name": f"Dr {i}", "local": False,
                    "inbox": f"https://peer{i % 20}.example/users/doc{i}/inbox",
                    "url": f"https://peer{i % 20}.example/@doc{i}", "fields": [], "published": now}
                   for i in range(follows)]
        conn.execute(Actor.__table__.insert(), authors)
        author_ids = list(conn.execute(select(Actor.id).where(Actor.local.is_(False)).order_by(Actor.id)).scalars())
        conn.execute(Follow.__table__.insert(), [
            {"follower_id": member_id, "followed_id": a, "uri": f"https://{domain}/follows/{a}", "state": "accepted"}
            for a in author_ids])
        start = now - timedelta(days=60)
        rows, mentions, ids = [], [], []
        for n in range(posts):
            moment = start + timedelta(seconds=n * 60 * 86400 * 0.999 / posts)
            post_id = (int(moment.timestamp() * 1000) << 16) | n % 65536
            author = author_ids[n % len(author_ids)]
            text = " ".join(rng.choice(WORDS) for _ in range(30))
            row = {"id": post_id, "uri": f"https://peer.example/statuses/{post_id}", "author_id": author,
                   "local": False, "visibility": "public", "content_html": f"<p>{text}</p>", "published": moment,
                   "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [], "tags": [], "attachments": [],
                   "in_reply_to_id": None, "boost_of_id": None, "url": None, "replies_count": 0,
                   "likes_count": rng.randint(0, 9), "boosts_count": rng.randint(0, 3)}
            if ids and n % 10 == 3:
                row["in_reply_to_id"] = rng.choice(ids[-500:])
            elif ids and n % 20 == 7:
                row["boost_of_id"], row["content_html"] = rng.choice(ids[-2000:]), ""
            if n % 25 == 0:
                mentions.append({"post_id": post_id, "actor_id": member_id})
            rows.append(row)
            ids.append(post_id)
        for chunk in range(0, len(rows), 5000):
            conn.execute(Post.__table__.insert(), rows[chunk:chunk + 5000])
        conn.execute(Mention.__table__.insert(), mentions)
        conn.execute(HomeTimelineEntry.__table__.insert(), [{"owner_id": member_id, "post_id": i} for i in ids])
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _cpu_seconds(root: int) -> float:
    """User + system CPU time so far of `root` and its living descendants (uvicorn's worker processes)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree = {root}
    for _ in range(3):  # parent, workers, their helpers
        tree |= {pid for pid, (parent, _) in stats.items() if parent in tree}
    total = sum(stats[pid][1] for pid in tree if pid in stats)
    return total / os.sysconf("SC_CLK_TCK")


def _wrk(url: str, token: str, seconds: int, connections: int, script_dir: Path, server_pid: int) -> dict[str, float]:
    import re

    script = script_dir / "auth.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    server_before = _cpu_seconds(server_pid)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    server_cpu = _cpu_seconds(server_pid) - server_before
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def percentile(name: str) -> float:
        value, unit = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * units[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "cpu_us": server_cpu / max(requests, 1) * 1e6, "wrk_us": wrk_cpu / max(requests, 1) * 1e6,
            "p50": percentile("50"), "p99": percentile("99"), "errors": int(errors.group(1)) if errors else 0}


def _start(instance: Instance, workers: int) -> None:
    """`curbside serve`, with --workers N when asked (Instance.start runs one process)."""
    if workers == 1:
        instance.start()
        return
    import httpx

    instance.process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(instance.port), "--workers", str(workers)],
        env=instance.env, cwd=ROOT, stdout=open(instance.log, "ab"), stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"{instance.base_url}/healthz", timeout=1).status_code == 200:
                time.sleep(1)  # every worker up, not just the first
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"server did not start: {instance.log.read_text()[-2000:]}")


def _profile(pid: int, path: str) -> subprocess.Popen:
    """py-spy (pip install py-spy) sampling `pid` and its worker process, with their threads."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen([spy, "record", "-p", str(pid), "--subprocesses", "--threads", "-r", "250", "-f", "raw",
                             "-o", path], stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--follows", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--log-level", default="INFO", help="the server's CURBSIDE_LOG_LEVEL (INFO logs each request)")
    parser.add_argument("--workers", type=int, default=1, help="curbside serve --workers")
    parser.add_argument("--keep", action="store_true", help="leave the server running until Enter (for py-spy)")
    parser.add_argument("--profile", metavar="FILE", help="sample the server with py-spy during the 8-connection load "
                        "(raw format, threads)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/home_timeline.py needs wrk (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        instance = Instance(Path(tmp) / "a", env={"CURBSIDE_LOG_LEVEL": args.log_level,
                                                  "CURBSIDE_API_RATE_LIMIT": "1000000000"})
        instance.data_dir.mkdir(parents=True)
        instance.cli("accounts", "create", "reader", "--email", "reader@example.org")
        token = instance.cli("tokens", "create", "reader", "--scopes", "read").stdout.strip()
        started = time.perf_counter()
        seed(instance.data_dir / "curbside.db", "reader", instance.domain, args.posts, args.follows)
        print(f"seeded {args.posts} posts by {args.follows} followed accounts in {time.perf_counter() - started:.1f} s")
        _start(instance, args.workers)
        try:
            url = f"{instance.base_url}/api/v1/timelines/home?limit=20"

            def load(seconds, connections):
                return _wrk(url, token, seconds, connections, Path(tmp), instance.process.pid)
            load(2, 8)  # warm-up
            one = load(args.seconds, 1)
            spy = _profile(instance.process.pid, args.profile) if args.profile else None
            eight = load(args.seconds, 8)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            print(f"cpu_count={os.cpu_count()}  load generator=wrk  "
                  f"seconds={args.seconds}  server log level={args.log_level}  serve workers={args.workers}")
            print(f"1 connection : p50 {one['p50']:.2f} ms (target <= {TARGETS['p50']})  p99 {one['p99']:.2f} ms "
                  f"(target <= {TARGETS['p99']})  {one['rps']:.0f} req/s  errors {one['errors']}  "
                  f"CPU/request: server {one['cpu_us']:.0f} us, wrk {one['wrk_us']:.0f} us")
            print(f"8 connections: {eight['rps']:.0f} req/s (target >= {TARGETS['rps']:.0f})  "
                  f"p50 {eight['p50']:.2f} ms  p99 {eight['p99']:.2f} ms  errors {eight['errors']}  "
                  f"CPU/request: server {eight['cpu_us']:.0f} us, wrk {eight['wrk_us']:.0f} us")
            if args.keep:
                input(f"server pid {instance.process.pid} at {url}; Enter stops it ")
        finally:
            instance.stop()


if __name__ == "__main__":
    main()
