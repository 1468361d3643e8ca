"""What domain policies cost on the hot paths: loading the PolicySet when the version moves, the
per-request check once it is cached, and the version check every process makes every 2 s.

    python bench/moderation_policies.py [--policies 20000] [--lookups 200000]

On a temporary SQLite database (migrated), with N local suspend policies on distinct domains.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from server.db.engine import make_engine  # noqa: E402
from server.db.migrate import migrate  # noqa: E402
from server.db.models import DomainPolicyRecord  # noqa: E402
from server.services.moderation.policies import PolicyCache  # noqa: E402


async def main(policies: int, lookups: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate(engine)
        rows = [{"key": f"spam{i}.example", "domain": f"spam{i}.example", "allow": False, "severity": "suspend",
                 "reject_media": False, "reject_reports": False, "obfuscate": False, "public_comment": "",
                 "private_comment": "", "state": "active"} for i in range(policies)]
        async with AsyncSession(engine) as session:
            await session.execute(insert(DomainPolicyRecord), rows)
            await session.commit()
        cache = PolicyCache(engine, check_every=3600)
        start = time.perf_counter()
        await cache.get()
        load = time.perf_counter() - start
        hosts = [f"www.host{i % 5000}.example:443" for i in range(lookups)]
        start = time.perf_counter()
        for host in hosts:
            (await cache.get()).effective(host)
        cached = (time.perf_counter() - start) / lookups
        cache.check_every = 0
        start = time.perf_counter()
        for _ in range(200):
            await cache.get()
        check = (time.perf_counter() - start) / 200
        await engine.dispose()
    print(f"{policies} policies: load {load * 1000:.0f} ms; cached check {cached * 1e6:.1f} us/request; "
          f"version check {check * 1000:.2f} ms (made at most every 2 s per process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=20000)
    parser.add_argument("--lookups", type=int, default=200000)
    args = parser.parse_args()
    asyncio.run(main(args.policies, args.lookups))
