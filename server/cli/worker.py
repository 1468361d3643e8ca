"""`curbside worker`: the background queues, until SIGTERM; it refuses a database whose schema is not current."""
from __future__ import annotations

import argparse
import asyncio
import os

from server.cli.common import CliError, require_current_schema, unreachable, warn_development
from server.runtime import Runtime
from server.settings import Settings

SUPERVISED_NICENESS = 10  # a worker started by `serve` yields the CPU to the requests when both want it


async def _check_schema(settings: Settings, runtime: Runtime) -> None:
    from server.db.migrate import current_revision

    try:
        revision = await current_revision(runtime.engine)
    except Exception as exc:
        raise unreachable(settings, exc) from exc
    require_current_schema(revision)


def worker(settings: Settings, args: argparse.Namespace) -> int:
    from server.jobs.worker import default_runners, run_worker

    if args.concurrency < 1 or (args.lease is not None and args.lease <= 0):
        raise CliError("--concurrency and --lease must be greater than zero")

    async def work() -> None:
        runtime = Runtime.create(settings)
        try:
            await _check_schema(settings, runtime)
            await run_worker(runtime, default_runners(args.concurrency, args.lease), parent=args.supervised)
        finally:
            await runtime.close()

    warn_development(settings)
    if args.supervised:
        os.nice(SUPERVISED_NICENESS)
    asyncio.run(work())
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("worker", help="send deliveries and process received activities until SIGTERM")
    command.add_argument("--concurrency", type=int, default=32, help="requests in flight at once (default 32)")
    command.add_argument("--lease", type=float, help="seconds a claimed row is held (default 120); rows of a "
                         "killed worker wait this long, and requests time out after a third of it (10 s at most)")
    command.add_argument("--supervised", type=int, metavar="PID", help=argparse.SUPPRESS)  # started by serve PID
    command.set_defaults(handler=worker)
