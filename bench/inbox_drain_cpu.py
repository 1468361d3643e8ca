"""CPU cost of the worker's draining, in-process: µs of CPU per inbox activity, without HTTP or uvicorn.

    python bench/inbox_drain_cpu.py [--items 3000] [--actors 50] [--profile FILE]

The same workload as bench/inbox_ingest.py (its actors, follows and signed 2 KB Create(Note)s), but the
activities are queued straight into inbox_items on SQLite, as the inbox POST handler stores them, and the
inbox runner (server.jobs.inbox.InboxRunner, batches of 100) drains them in this process. Reported: CPU
time (time.process_time: this process, all threads) per activity, which varies far less than wall-clock
rates on a shared machine, and how it splits between the event loop's thread (parsing, handlers) and the
database driver's threads (aiosqlite's, where server/db/burst.py runs the batch's writes). A first 500 are
drained before measuring (caches warm, as in a running server).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inbox_ingest import actors, create_body, seed  # noqa: E402


def queue(db: Path, people: list[dict], count: int, offset: int) -> None:
    """Store `count` Creates as accepted, queued inbox items (what intake's SqliteStore writes)."""
    conn = sqlite3.connect(db)
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
    rows = []
    for n in range(offset, offset + count):
        actor = people[n % len(people)]["uri"]
        body = create_body(actor, n).decode()
        rows.append((json.loads(body)["id"], actor, body, now, now))
    conn.executemany("INSERT INTO inbox_items (activity_uri, signer, activity, state, attempts, next_try_at,"
                     " received_at) VALUES (?, ?, ?, 'queued', 0, ?, ?)", rows)
    conn.commit()
    conn.close()


async def drain(settings, per_item: list[float] | None = None) -> int:
    """Run the inbox runner until the queue is empty; with `per_item`, append each batch's CPU per activity."""
    from server.jobs.inbox import InboxRunner
    from server.runtime import Runtime

    runtime = Runtime.create(settings)
    runner, total = InboxRunner(), 0
    try:
        while True:
            start = time.process_time()
            done = await runner.run_once(runtime)
            if not done:
                break
            total += done
            if per_item is not None:
                per_item.append((time.process_time() - start) / done)
    finally:
        await runtime.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--actors", type=int, default=50)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured drain (pstats to FILE)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="curbside-drain-"))
    domain = "localhost:8080"
    env = {"CURBSIDE_DATA_DIR": str(work), "CURBSIDE_DOMAIN": domain, "CURBSIDE_ALLOW_HTTP": "true",
           "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true", "CURBSIDE_LOG_LEVEL": "INFO"}
    os.environ.update(env)
    try:
        subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env={**os.environ, "PYTHONPATH": str(ROOT)},
                       cwd=ROOT, check=True, capture_output=True)
        from server.logs import configure_logging
        from server.settings import load_settings

        settings = load_settings()
        configure_logging(settings.log_level)
        people = actors(args.actors)
        asyncio.run(seed(settings.database_url, people, domain))
        db = work / "curbside.db"
        queue(db, people, 500, offset=10_000_000)
        asyncio.run(drain(settings))
        queue(db, people, args.items, offset=0)
        prof = cProfile.Profile() if args.profile else None
        start_cpu, start_main, start_wall = time.process_time(), time.thread_time(), time.perf_counter()
        if prof:
            prof.enable()
        per_item: list[float] = []
        drained = asyncio.run(drain(settings, per_item))
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
        main_cpu = time.thread_time() - start_main
        timeline = sqlite3.connect(db).execute("SELECT count(*) FROM home_timeline").fetchone()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"cpu_count={os.cpu_count()}  items={args.items}  drained={drained}  timeline rows={timeline}  "
          f"profiled={bool(prof)}")
    per_item.sort()
    quartile = lambda q: per_item[int(q * (len(per_item) - 1))] * 1e6  # noqa: E731
    print(f"worker CPU per activity: {cpu / max(drained, 1) * 1e6:.0f} us; batches of 100: lowest "
          f"{quartile(0):.0f}, lower quartile {quartile(0.25):.0f}, median {quartile(0.5):.0f} us  (wall {wall:.2f}s, "
          f"load average {os.getloadavg()[0]:.1f}; the lower figures are the least disturbed by other work)")
    print(f"of which the event loop's thread {main_cpu / max(drained, 1) * 1e6:.0f} us, the database driver's "
          f"threads {(cpu - main_cpu) / max(drained, 1) * 1e6:.0f} us")


if __name__ == "__main__":
    main()
