"""`curbside serve`: migrations, then HTTP, with the queue workers it starts, supervises and stops."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
import time

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

    if args.workers > 1:
        _web_processes(args)
    elif args.web_process_of:  # one of several: its own listening socket (see _web_processes)
        threading.Thread(target=_stop_when_orphaned, args=(args.web_process_of,), daemon=True).start()
        sockets = [_reuse_port_socket(args.host, args.port)]
        uvicorn.Server(uvicorn.Config(create_app(settings, web_processes=2), **options)).run(sockets=sockets)
    else:
        uvicorn.Server(uvicorn.Config(create_app(settings), **options)).run()


def _web_processes(args: argparse.Namespace) -> None:
    """`--workers N`: N web processes, each listening on the port with a socket of its own (SO_REUSEPORT), so that
    the kernel spreads new connections evenly over them. With one socket shared by all, whichever process woke first
    accepted every connection waiting, and keep-alive kept them there: 16 clients connecting at once all went to
    one process while the others idled. Each is `curbside serve --web-process-of PID`, supervised as the queue
    workers are (started again if it dies, stopped with serve); serve itself waits for SIGTERM or Ctrl-C."""
    from server.jobs.supervisor import WorkerProcesses

    command = [sys.executable, "-m", "server.cli", "serve", "--host", args.host, "--port", str(args.port),
               "--queue-workers", "0", "--web-process-of", str(os.getpid())]
    command += [*(["--ssl-certfile", args.ssl_certfile] if args.ssl_certfile else []),
                *(["--ssl-keyfile", args.ssl_keyfile] if args.ssl_keyfile else [])]
    try:  # a port taken by another program fails here, not in each web process started again and again
        _reuse_port_socket(args.host, args.port, listen=False).close()
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    processes = WorkerProcesses(args.workers, command, what="web").start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop()


def _reuse_port_socket(host: str, port: int, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def _stop_when_orphaned(parent: int) -> None:
    """A web process whose serve died without a word (SIGKILL) stops too, as the queue workers do."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _options(args: argparse.Namespace) -> dict:
    return dict(host=args.host, port=args.port, log_config=None, access_log=False,
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile, proxy_headers=True,
                server_header=False, timeout_graceful_shutdown=10, ws="wsproto")


def serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.queue_workers < 0:
        raise CliError("--queue-workers must be 0 or more")
    if args.web_process_of:  # started by a serve that has said all there is to say
        signal.signal(signal.SIGTERM, _terminated)
        with contextlib.suppress(Terminated):
            _listen(settings, args, _options(args))
        return 0
    warn_development(settings)
    admins = run(settings, _count_admins, loud=True)
    scheme = "https" if args.ssl_certfile else "http"
    say(f"Curbside '{settings.instance_name}' listening on {scheme}://{args.host}:{args.port} "
        f"(public address {settings.base_url})")
    if not admins:
        say("No admin account yet. Create one with:\n"
            "  curbside accounts create NAME --email YOU@EXAMPLE.ORG --role admin --password-stdin")
    options = _options(args)
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
    command.add_argument("--web-process-of", type=int, metavar="PID", help=argparse.SUPPRESS)  # see _web_processes
    command.set_defaults(handler=serve)
