"""Full-text status search latency of the client API over 100,000 posts, on SQLite and PostgreSQL.

    python bench/search.py [--posts 100000] [--requests 300] [--engines sqlite,postgresql]

Per engine: a real `curbside serve` (one process); 200 remote authors (half opted in with `indexable`);
100,000 posts of 15-40 words drawn from a Zipf-like clinical vocabulary (80% public, 10% unlisted, 5%
followers-only, 5% direct), a reader who favourited, bookmarked or was mentioned in 1% of them. On
SQLite the trigger-queued posts are indexed by fulltext.catch_up (its throughput is printed). Then
GET /api/v2/search?type=statuses&limit=20 one request at a time over a mix of queries (a common word,
a rare word, two words, a phrase, an exclusion): p50/p99 wall time, and the server's CPU time per
request (utime+stime from /proc, which barely moves with other load on the machine), and on PostgreSQL
the database's CPU time per request too.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from server.db import fulltext  # noqa: E402
from server.db.engine import make_engine, make_sessionmaker  # noqa: E402
from server.db.models import Actor, Bookmark, Like, Mention, Post  # noqa: E402
from tests.support.instances import Instance  # noqa: E402
from tests.support.postgres import PostgresCluster, find_bindir  # noqa: E402

WORDS = ("patient ward round troponin echo dose sepsis audit consent trial cohort rota clinic referral guideline "
         "chest pain fracture scaphoid insulin ketamine heparin lactate amiodarone adenosine digoxin handover "
         "registrar consultant nurse pharmacy discharge admission imaging biopsy oncology cardiology neurology "
         "paediatric obstetric anaesthesia theatre recovery outpatient frailty delirium stroke thrombolysis").split()
QUERIES = ("troponin", "thrombolysis", "sepsis audit", '"chest pain"', "ward -rota", "rarity42", "fractures")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _words(rng: random.Random) -> str:
    # Zipf-like: word i is drawn with weight 1/(i+1)
    return " ".join(rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))], k=rng.randint(15, 40)))


async def seed(database_url: str, reader: str, domain: str, posts: int) -> float:
    """Authors, posts and the reader's interactions; on SQLite, the index caught up. Seconds spent indexing."""
    rng = random.Random(9)
    engine = make_engine(database_url)
    now = datetime.now(timezone.utc)
    visibilities = ["public"] * 16 + ["unlisted"] * 2 + ["private", "direct"]
    async with engine.begin() as conn:
        reader_id = (await conn.execute(select(Actor.id).where(Actor.username == reader,
                                                               Actor.domain == domain))).scalar_one()
        await conn.execute(Actor.__table__.insert(), [
            {"uri": f"https://peer{i % 20}.example/users/doc{i}", "username": f"doc{i}",
             "domain": f"peer{i % 20}.example", "display_name": f"Dr {i}", "local": False,
             "inbox": f"https://peer{i % 20}.example/users/doc{i}/inbox",
             "fields": [], "published": now, "indexable": i % 2 == 0, "created_at": now, "updated_at": now,
             "discoverable": True, "manually_approves": False, "actor_type": "Person", "summary": ""}
            for i in range(200)])
        authors = list((await conn.execute(select(Actor.id).where(Actor.local.is_(False)))).scalars())
        start = now - timedelta(days=60)
        rows, likes, marks, mentions = [], [], [], []
        for n in range(posts):
            moment = start + timedelta(seconds=n * 60 * 86400 * 0.999 / posts)
            post_id = (int(moment.timestamp() * 1000) << 16) | n % 65536
            body = _words(rng) + (f" rarity{n % 997}" if n % 10 == 0 else "")
            rows.append({"id": post_id, "uri": f"https://peer.example/statuses/{post_id}",
                         "author_id": rng.choice(authors), "local": False, "visibility": rng.choice(visibilities),
                         "content_html": f"<p>{body}</p>",
                         "published": moment, "created_at": moment, "to": [PUBLIC], "cc": [], "tags": [],
                         "attachments": [], "replies_count": 0, "likes_count": 0, "boosts_count": 0,
                         "sensitive": False, "object_type": "Note"})
            if n % 100 == 1:
                (likes, marks, mentions)[n % 3].append(post_id)
        for chunk in range(0, len(rows), 5000):
            await conn.execute(Post.__table__.insert(), rows[chunk:chunk + 5000])
        await conn.execute(Like.__table__.insert(), [
            {"actor_id": reader_id, "post_id": p, "uri": f"https://{domain}/l/{p}", "created_at": now} for p in likes])
        await conn.execute(Bookmark.__table__.insert(), [{"actor_id": reader_id, "post_id": p, "created_at": now}
                                                         for p in marks])
        await conn.execute(Mention.__table__.insert(), [{"actor_id": reader_id, "post_id": p} for p in mentions])
    started = time.perf_counter()
    async with make_sessionmaker(engine)() as session:
        while await fulltext.catch_up(session, batch=5000):
            await session.commit()
    indexing = time.perf_counter() - started
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return indexing


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cluster_cpu_seconds(cluster: PostgresCluster | None) -> float:
    """CPU time of the PostgreSQL postmaster and its children (the backends)."""
    if cluster is None:
        return 0.0
    postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    total = _cpu_seconds(postmaster)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                total += _cpu_seconds(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue  # a process that ended meanwhile
    return total


def measure(instance: Instance, token: str, requests: int, cluster: PostgresCluster | None) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{instance.base_url}/api/v2/search"
    with httpx.Client(headers=headers, timeout=30) as client:
        counts = {}
        for q in QUERIES:  # warm-up, and a check that each query finds something
            counts[q] = len(client.get(url, params={"q": q, "type": "statuses", "limit": 20}).json()["statuses"])
        cpu_before, times, by_query = _cpu_seconds(instance.process.pid), [], {q: [] for q in QUERIES}
        db_before = _cluster_cpu_seconds(cluster)
        for n in range(requests):
            started = time.perf_counter()
            response = client.get(url, params={"q": QUERIES[n % len(QUERIES)], "type": "statuses", "limit": 20})
            times.append((time.perf_counter() - started) * 1000)
            by_query[QUERIES[n % len(QUERIES)]].append(times[-1])
            response.raise_for_status()
        cpu = (_cpu_seconds(instance.process.pid) - cpu_before) / requests * 1000
        db_cpu = (_cluster_cpu_seconds(cluster) - db_before) / requests * 1000
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
            "cpu": cpu, "db_cpu": db_cpu, "found": counts,
            "median": {q: round(statistics.median(t), 1) for q, t in by_query.items()}}


def run(engine: str, tmp: Path, args, cluster: PostgresCluster | None) -> None:
    database_url = None
    if cluster is not None:
        cluster.psql("CREATE DATABASE bench_search")
        database_url = cluster.url("bench_search")
    instance = Instance(tmp / engine, database_url=database_url, env={"CURBSIDE_LOG_LEVEL": "WARNING",
                                                                      "CURBSIDE_API_RATE_LIMIT": "1000000000"})
    instance.data_dir.mkdir(parents=True)
    instance.cli("accounts", "create", "reader", "--email", "reader@example.org")
    token = instance.cli("tokens", "create", "reader", "--scopes", "read").stdout.strip()
    url = database_url or f"sqlite+aiosqlite:///{instance.data_dir / 'curbside.db'}"
    started = time.perf_counter()
    indexing = asyncio.run(seed(url, "reader", instance.domain, args.posts))
    print(f"[{engine}] seeded {args.posts} posts in {time.perf_counter() - started:.1f} s"
          + (f" (indexing {indexing:.1f} s: {args.posts / indexing:,.0f} posts/s)" if engine == "sqlite" else ""))
    instance.start()
    try:
        result = measure(instance, token, args.requests, cluster)
    finally:
        instance.stop()
    print(f"[{engine}] {args.requests} searches, 1 connection: p50 {result['p50']:.2f} ms  p99 {result['p99']:.2f} ms  "
          f"server CPU {result['cpu']:.2f} ms/request"
          + (f"  PostgreSQL CPU {result['db_cpu']:.2f} ms/request" if cluster is not None else ""))
    print(f"[{engine}] median ms per query {result['median']}; results {result['found']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"cpu_count={os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            if engine == "postgresql":
                bindir = find_bindir()
                if bindir is None:
                    print("[postgresql] skipped: no PostgreSQL binaries")
                    continue
                cluster = PostgresCluster(bindir)
                cluster.start()
                try:
                    run(engine, Path(tmp), args, cluster)
                finally:
                    cluster.stop()
            else:
                run(engine, Path(tmp), args, None)


if __name__ == "__main__":
    main()
