"""What a client-API request pays for the shared rate-limit counters (server.ratelimit_shared).

    python bench/ratelimit_cost.py [--requests 3000] [--engines sqlite,postgresql]

Counts `--requests` GET requests of 50 callers one after another (and POST /api/v1/statuses, two budgets in one
statement) through SharedRateLimiter on a fresh migrated database, beside the in-memory RateLimiter and, on the
same autocommit engine, a bare `SELECT 1` (one round trip): the upsert should cost about one round trip.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from server.db.engine import make_engine  # noqa: E402
from server.db.migrate import migrate  # noqa: E402
from server.ratelimit import RateLimiter, mastodon_rules  # noqa: E402
from server.ratelimit_shared import SharedRateLimiter  # noqa: E402
from tests.support.postgres import PostgresCluster, find_bindir  # noqa: E402


async def timed(call, n: int) -> tuple[list[float], float]:
    """Wall-clock µs of each call, and this process's CPU µs per call (steadier on a busy machine)."""
    took, cpu = [], time.process_time()
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        took.append((time.perf_counter() - start) * 1e6)
    return took, (time.process_time() - cpu) * 1e6 / n


def line(label: str, measured: tuple[list[float], float]) -> str:
    took, cpu = sorted(measured[0]), measured[1]
    return (f"  {label:<34} median {statistics.median(took):7.1f} µs  p99 {took[int(len(took) * .99)]:7.1f} µs"
            f"  app CPU {cpu:6.1f} µs")


async def measure(url: str, n: int) -> None:
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()
    rules = mastodon_rules(10**9)
    shared, memory = SharedRateLimiter(rules), RateLimiter(rules)
    shared.open(url)
    try:
        async def ping(_):
            async with shared.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        await timed(ping, 200)  # warm the pool and the prepared statements
        print(line("SELECT 1 (one round trip)", await timed(ping, n)))
        print(line("shared counter, GET (1 budget)",
                   await timed(lambda i: shared.count("GET", "/api/v1/timelines/home", f"token:{i % 50}"), n)))
        print(line("shared counter, POST status (2)",
                   await timed(lambda i: shared.count("POST", "/api/v1/statuses", f"token:{i % 50}"), n)))
        print(line("memory counter, GET",
                   await timed(lambda i: memory.count("GET", "/api/v1/timelines/home", f"token:{i % 50}"), n)))
        assert shared.fallback.hits == 0, "the database failed to count"
    finally:
        await shared.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"cpu_count={os.cpu_count()}  requests={args.requests}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            print(f"[{engine}]")
            if engine == "sqlite":
                asyncio.run(measure(f"sqlite+aiosqlite:///{tmp}/bench.db", args.requests))
                continue
            cluster = PostgresCluster(find_bindir())
            cluster.start()
            try:
                cluster.psql("CREATE DATABASE bench")
                asyncio.run(measure(cluster.url("bench"), args.requests))
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
