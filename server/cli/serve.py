"""`curbside serve`: migrations, then HTTP, with the queue workers it starts, supervises and stops."""
from __future__ import annotations

import argparse
import signal

from server.cli.common import CliError, run, say, warn_development
from server.runtime import Runtime
from server.settings import Settings


class Terminated(Exception):
    """SIGTERM reached serve."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def _start_queue_workers(settings: Settings, args: argparse.Namespace):
    """The worker processes `serve` supervises (none with CURBSIDE_INPROCESS_WORKER=false)."""
    from server.jobs.supervisor import WorkerProcesses

    if not settings.inprocess_worker or args.queue_workers == 0:
        return None
    return WorkerProcesses(args.queue_workers).start()


async def _count_admins(runtime: Runtime) -> int:
    from sqlalchemy import func, select

    from server.db.models import Account

    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Account).where(Account.role == "admin"))


def _listen(settings: Settings, args: argparse.Namespace, options: dict) -> None:
    import uvicorn

    from server.app import create_app

    if args.workers > 1:  # each process builds its app from the same environment
        uvicorn.run("server.app:create_app_from_environment", factory=True, workers=args.workers, **options)
    else:
        uvicorn.Server(uvicorn.Config(create_app(settings), **options)).run()


def serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.queue_workers < 0:
        raise CliError("--queue-workers must be 0 or more")
    warn_development(settings)
    admins = run(settings, _count_admins, loud=True)
    scheme = "https" if args.ssl_certfile else "http"
    say(f"Curbside '{settings.instance_name}' listening on {scheme}://{args.host}:{args.port} "
        f"(public address {settings.base_url})")
    if not admins:
        say("No admin account yet. Create one with:\n"
            "  curbside accounts create NAME --email YOU@EXAMPLE.ORG --role admin --password-stdin")
    options = dict(host=args.host, port=args.port, log_config=None, access_log=False,
                   ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile, proxy_headers=True,
                   server_header=False, timeout_graceful_shutdown=10, ws="wsproto")
    # uvicorn stops on SIGTERM, then raises it again for the handler it found: ours, so that the
    # worker processes are stopped before serve exits.
    signal.signal(signal.SIGTERM, _terminated)
    workers = _start_queue_workers(settings, args)
    try:
        _listen(settings, args, options)
    except Terminated:
        pass
    finally:
        if workers is not None:
            workers.stop()
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("serve", help="run the web server (applies migrations first)")
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8000)
    command.add_argument("--ssl-certfile")
    command.add_argument("--ssl-keyfile")
    command.add_argument("--workers", type=int, default=1,
                         help="web processes sharing the port (default 1)")
    command.add_argument("--queue-workers", type=int, default=1, metavar="N",
                         help="background worker processes started and supervised by serve (default 1; 0 or "
                              "CURBSIDE_INPROCESS_WORKER=false: none, run `curbside worker` yourself)")
    command.set_defaults(handler=serve)
