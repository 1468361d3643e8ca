"""Requests per second of the two GETs other servers make most: an actor document and WebFinger.

    python bench/discovery_get.py [--seconds 10] [--connections 16] [--log-level INFO]

Starts a real `curbside serve` on SQLite (one process, as `curbside serve` runs), creates one
member, and loads it from a separate process: wrk when installed (`apt-get install wrk`), else a
Python asyncio client in a subprocess (which itself becomes the bottleneck well before the server).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.db.engine import make_engine, make_sessionmaker  # noqa: E402
from server.services.social.visibility_to_servers import find_member  # noqa: E402
from server.urls import LocalUrls  # noqa: E402
from tests.support import factories  # noqa: E402
from tests.support.instances import Instance  # noqa: E402

TARGET = 5000


def _wrk(url: str, accept: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Accept: {accept}",
                          url], capture_output=True, text=True, check=True).stdout
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def percentile(name: str) -> float:
        value, unit = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * units[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": percentile("50"), "p99": percentile("99"), "errors": int(errors.group(1)) if errors else 0}


# The fallback client, run with `python -c` in its own process so it does not share the server's CPU time slice.
_CLIENT = r"""
import asyncio, json, sys, time
import httpx
url, accept, seconds, connections = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
async def worker(client, deadline, latencies, errors):
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        r = await client.get(url, headers={"accept": accept})
        latencies.append((time.perf_counter() - start) * 1000)
        errors[0] += r.status_code >= 400
async def main():
    latencies, errors = [], [0]
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client, start + seconds, latencies, errors) for _ in range(connections)))
        elapsed = time.perf_counter() - start
    print(json.dumps({"latencies": latencies, "elapsed": elapsed, "errors": errors[0]}))
asyncio.run(main())
"""


def _python_client(url: str, accept: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CLIENT, url, accept, str(seconds), str(connections)],
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    latencies = sorted(data["latencies"])
    return {"rps": len(latencies) / data["elapsed"], "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99)], "errors": data["errors"]}


async def _add_post(instance: Instance) -> str:
    """One public post by alice, written straight to the instance's SQLite database."""
    engine = make_engine(f"sqlite+aiosqlite:///{instance.data_dir / 'curbside.db'}")
    urls = LocalUrls(instance.base_url)
    try:
        async with make_sessionmaker(engine)() as session:
            alice = await find_member(session, instance.domain, urls.instance_actor, "alice")
            post = await factories.post(session, urls, alice, content="<p>Hello, fediverse</p>")
            await session.commit()
            return post.uri
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--log-level", default="INFO", help="the server's CURBSIDE_LOG_LEVEL (INFO logs each request)")
    args = parser.parse_args()
    load = _wrk if shutil.which("wrk") else _python_client
    with tempfile.TemporaryDirectory() as tmp:
        instance = Instance(Path(tmp) / "a", env={"CURBSIDE_LOG_LEVEL": args.log_level})
        instance.start()
        try:
            instance.cli("accounts", "create", "alice", "--email", "alice@example.org")
            cases = {
                "actor GET": (f"{instance.base_url}/users/alice", "application/activity+json"),
                "WebFinger GET": (f"{instance.base_url}/.well-known/webfinger?resource=acct:alice@{instance.domain}",
                                  "application/jrd+json"),
            }
            post = asyncio.run(_add_post(instance))
            cases["post GET"] = (post, "application/activity+json")
            cases["post page GET"] = (post.replace("/users/alice/statuses/", "/@alice/"), "text/html")
            print(f"cpu_count={os.cpu_count()}  load generator={load.__name__.strip('_')}  "
                  f"connections={args.connections}  seconds={args.seconds}  server log level={args.log_level}")
            for name, (url, accept) in cases.items():
                load(url, accept, 2, args.connections)  # warm-up: caches, connections
                time.sleep(0.5)
                r = load(url, accept, args.seconds, args.connections)
                verdict = "ok" if r["rps"] >= TARGET else f"below target {TARGET}"
                print(f"{name:14} {r['rps']:9.0f} req/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms   "
                      f"errors {r['errors']}   ({verdict})")
        finally:
            instance.stop()


if __name__ == "__main__":
    main()
