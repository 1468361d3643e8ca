"""Home timelines read while activities arrive: inbox ingest at a steady rate plus readers of a home timeline.

    python bench/mixed_ingest_timeline.py [--rate 1000] [--seconds 15] [--readers 8]

A real `curbside serve` on SQLite as shipped (its worker process draining the queue into home
timelines, log level INFO) but for the client API's rate limit, turned off (CURBSIDE_API_RATE_LIMIT=0),
seeded as bench/inbox_ingest.py does: 50 remote actors, each followed by
5 of 20 members. Signed Create(Note)s are POSTed at `--rate` a second from a separate process while
wrk keeps `--readers` connections reading `GET /api/v1/timelines/home` of one member (bearer token).
Reported: the timeline's requests per second and latency percentiles during the ingest, and the
ingest's own figures.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inbox_ingest as ingest  # noqa: E402


def wrk(url: str, token: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
                          f"Authorization: Bearer {token}", url], capture_output=True, text=True, check=True).stdout
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def percentile(name: str) -> float:
        value, unit = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * units[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": percentile("50"),
            "p90": percentile("90"), "p99": percentile("99"), "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16, help="ingest connections")
    parser.add_argument("--workers", type=int, default=1, help="curbside serve --workers (web processes)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="curbside-mixed-"))
    port = ingest.free_port()
    domain = f"localhost:{port}"
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(work), "CURBSIDE_DOMAIN": domain, "CURBSIDE_ALLOW_HTTP": "true",
           "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true", "PYTHONPATH": str(ingest.ROOT),
           "CURBSIDE_API_RATE_LIMIT": "0"}  # else one token gets 300 requests in 5 minutes
    database_url = f"sqlite+aiosqlite:///{work / 'curbside.db'}"
    cli = [sys.executable, "-m", "server.cli"]
    subprocess.run(cli + ["migrate"], env=env, cwd=ingest.ROOT, check=True, capture_output=True)
    people = ingest.actors(50)
    asyncio.run(ingest.seed(database_url, people, domain))
    token = subprocess.run(cli + ["tokens", "create", "local0", "--scopes", "read"], env=env, cwd=ingest.ROOT,
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    warmup = ingest.presign(people, 500, domain, offset=10_000_000)
    requests = ingest.presign(people, int(args.rate * args.seconds), domain, offset=0)
    server = ingest.start_server(env, port, args.workers)
    timeline = f"http://127.0.0.1:{port}/api/v1/timelines/home"
    try:
        ingest.drive(port, warmup, args.connections, work)
        wrk(timeline, token, 2, args.readers)  # warm-up
        quiet = wrk(timeline, token, 5, args.readers)
        result = ingest.drive(port, requests, args.connections, work, rate=args.rate,
                              alongside=lambda: wrk(timeline, token, args.seconds - 1, args.readers))
        waiting, age = asyncio.run(ingest.queue_state(database_url))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    latencies = sorted(result["latencies"])
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    busy = result["alongside"]
    print(f"cpu_count={os.cpu_count()}  ingest rate={args.rate:.0f}/s for {args.seconds}s "
          f"over {args.connections} connections  timeline readers={args.readers}  "
          f"serve --workers {args.workers} (queue worker process, log level INFO; API rate limit off)")
    print(f"home timeline alone:        {quiet['rps']:6.0f} req/s  p50 {quiet['p50']:.1f} ms  "
          f"p99 {quiet['p99']:.1f} ms")
    print(f"home timeline under ingest: {busy['rps']:6.0f} req/s  p50 {busy['p50']:.1f} ms  p90 {busy['p90']:.1f} ms  "
          f"p99 {busy['p99']:.1f} ms  errors {busy['errors']}")
    print(f"ingest: statuses={result['statuses']}  {len(latencies) / result['seconds']:,.0f}/s  "
          f"p50 {pct(0.5):.1f} ms  p99 {pct(0.99):.1f} ms; at the end {waiting} queued, the oldest for {age:.1f}s")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
