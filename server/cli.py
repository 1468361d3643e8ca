"""The `curbside` command: serve, migrate, check, and the admin's commands.

Every mistake of the user ends in one line on stderr and a non-zero exit: 2 for a wrong setting or
argument, 1 for a refused action or an unreachable database.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
from typing import Awaitable, Callable

from sqlalchemy import text

from moderation.errors import ServiceError
from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import migrate
from server.logs import configure_logging
from server.settings import Settings, SettingsError, load_settings

log = logging.getLogger("curbside")


class CommandError(Exception):
    """A refused command: printed as one line, exit code 1."""


def _say(message: str) -> None:
    print(message, flush=True)


async def _with_sessions(settings: Settings, work: Callable) -> object:
    engine = make_engine(settings.database_url)
    try:
        return await work(make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def _migrate(settings: Settings, quiet: bool = False) -> None:
    engine = make_engine(settings.database_url)
    try:
        applied = await migrate(engine, progress=(lambda m: None) if quiet else _say)
    except Exception as exc:
        raise CommandError(f"database {_redact(settings.database_url)} unreachable or migration failed: "
                           f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc
    finally:
        await engine.dispose()
    if not quiet:
        _say(f"database is up to date ({len(applied)} migration(s) applied)")


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def _warn_development(settings: Settings) -> None:
    if settings.allow_http:
        log.warning("DEVELOPMENT SETTING ON: CURBSIDE_ALLOW_HTTP - plain-http URLs for this and remote instances")
    if settings.allow_private_addresses:
        log.warning("DEVELOPMENT SETTING ON: CURBSIDE_ALLOW_PRIVATE_ADDRESSES - federating with loopback/private addresses")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app

    if args.queue_workers < 0:
        raise CommandError("--queue-workers must be 0 or more")
    _warn_development(settings)
    asyncio.run(_migrate(settings))
    admins = asyncio.run(_count_admins(settings))
    scheme = "https" if args.ssl_certfile else "http"
    _say(f"Curbside '{settings.instance_name}' listening on {scheme}://{args.host}:{args.port} "
         f"(public address {settings.base_url})")
    if not admins:
        _say("No admin account yet. Create one with:\n"
             "  curbside accounts create NAME --email YOU@EXAMPLE.ORG --role admin --password-stdin")
    options = dict(host=args.host, port=args.port, log_config=None, access_log=False,
                   ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile, proxy_headers=True,
                   server_header=False, timeout_graceful_shutdown=10, ws="wsproto")
    # uvicorn stops on SIGTERM, then raises it again for the handler it found: ours, so that the
    # worker processes are stopped before serve exits.
    signal.signal(signal.SIGTERM, _terminated)
    workers = _start_queue_workers(settings, args)
    try:
        if args.workers > 1:  # each process builds its app from the same environment
            uvicorn.run("server.app:create_app_from_environment", factory=True, workers=args.workers, **options)
        else:
            uvicorn.Server(uvicorn.Config(create_app(settings), **options)).run()
    except Terminated:
        pass
    finally:
        if workers is not None:
            workers.stop()
    return 0


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


async def _count_admins(settings: Settings) -> int:
    from sqlalchemy import func, select

    from server.db.models import Account

    async def work(sessions):
        async with sessions() as session:
            return await session.scalar(select(func.count()).select_from(Account).where(Account.role == "admin"))
    return await _with_sessions(settings, work)


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from server.db.migrate import current_revision, head_revision
    from server.jobs.worker import default_runners, run_worker
    from server.runtime import Runtime

    if args.concurrency < 1 or (args.lease is not None and args.lease <= 0):
        raise CommandError("--concurrency and --lease must be greater than zero")

    async def run() -> None:
        runtime = Runtime.create(settings)
        try:
            try:
                revision = await current_revision(runtime.engine)
            except Exception as exc:
                raise CommandError(f"database {_redact(settings.database_url)} unreachable: "
                                   f"{type(exc).__name__}") from exc
            if revision != head_revision():
                raise CommandError(f"database schema at {revision or 'nothing'}, code expects {head_revision()}: "
                                   "run `curbside migrate`")
            await run_worker(runtime, default_runners(args.concurrency, args.lease), parent=args.supervised)
        finally:
            await runtime.close()

    _warn_development(settings)
    asyncio.run(run())
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_migrate(settings))
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from server.db.migrate import current_revision, head_revision

    async def run() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return await current_revision(engine)
        except Exception as exc:
            raise CommandError(f"database {_redact(settings.database_url)} unreachable: {type(exc).__name__}") from exc
        finally:
            await engine.dispose()

    revision = asyncio.run(run())
    _say(f"settings: ok (domain {settings.domain}, data in {settings.data_dir})")
    _say(f"database: reachable ({_redact(settings.database_url)})")
    if revision != head_revision():
        raise CommandError(f"database schema at {revision or 'nothing'}, code expects {head_revision()}: run `curbside migrate`")
    _say(f"schema: up to date ({revision})")
    return 0


def cmd_accounts_create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts import NewAccount, create_account
    from server.urls import LocalUrls

    generated = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = generated = secrets.token_urlsafe(18)

    async def work(sessions):
        async with sessions() as session:
            account = await create_account(session, LocalUrls(settings.base_url), settings.domain,
                                           NewAccount(username=args.username, email=args.email,
                                                      password=password, role=args.role))
            await session.commit()
            return account

    asyncio.run(_migrate(settings, quiet=True))
    account = asyncio.run(_with_sessions(settings, work))
    _say(f"created {account.role} @{account.actor.username}@{settings.domain} <{account.email}>")
    if generated:
        _say(f"password: {generated}")
    return 0


def cmd_accounts_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts import list_accounts

    async def work(sessions):
        async with sessions() as session:
            return await list_accounts(session)

    asyncio.run(_migrate(settings, quiet=True))
    accounts = asyncio.run(_with_sessions(settings, work))
    _say(f"{'ID':>5}  {'USERNAME':<30} {'ROLE':<10} {'EMAIL':<40} CREATED")
    for a in accounts:
        _say(f"{a.id:>5}  {a.actor.username:<30} {a.role:<10} {a.email:<40} {a.created_at:%Y-%m-%d}")
    return 0


def cmd_tokens_create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts import find_local_account
    from server.services.oauth import issue_token
    from server.services.scopes import parse_scopes

    scopes = parse_scopes(" ".join(args.scopes))

    async def work(sessions):
        async with sessions() as session:
            account = await find_local_account(session, settings.domain, args.username)
            if account is None:
                raise CommandError(f"no local account named {args.username!r}")
            issued = await issue_token(session, None, account, scopes, refreshable=False)
            await session.commit()
            return issued.access_token

    asyncio.run(_migrate(settings, quiet=True))
    _say(asyncio.run(_with_sessions(settings, work)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curbside", description="Curbside community server")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--ssl-certfile")
    serve.add_argument("--ssl-keyfile")
    serve.add_argument("--workers", type=int, default=1,
                       help="web processes sharing the port (default 1)")
    serve.add_argument("--queue-workers", type=int, default=1, metavar="N",
                       help="background worker processes started and supervised by serve (default 1; 0 or "
                            "CURBSIDE_INPROCESS_WORKER=false: none, run `curbside worker` yourself)")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="send deliveries and process received activities until SIGTERM")
    worker.add_argument("--concurrency", type=int, default=32, help="requests in flight at once (default 32)")
    worker.add_argument("--lease", type=float, help="seconds a claimed row is held (default 120); rows of a "
                        "killed worker wait this long, and requests time out after a third of it (10 s at most)")
    worker.add_argument("--supervised", type=int, metavar="PID", help=argparse.SUPPRESS)  # started by serve PID
    worker.set_defaults(handler=cmd_worker)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=cmd_migrate)
    commands.add_parser("check", help="check settings and database").set_defaults(handler=cmd_check)

    accounts = commands.add_parser("accounts", help="manage local accounts").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    create = accounts.add_parser("create", help="create an account (prints a password unless --password-stdin)")
    create.add_argument("username")
    create.add_argument("--email", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument("--role", choices=["admin", "moderator", "member"], default="member")
    create.set_defaults(handler=cmd_accounts_create)
    accounts.add_parser("list", help="list local accounts").set_defaults(handler=cmd_accounts_list)
    from server.cli_members import add_account_commands

    add_account_commands(accounts)

    tokens = commands.add_parser("tokens", help="API tokens for scripts and bots").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    token = tokens.add_parser("create", help="print a new bearer token for USERNAME")
    token.add_argument("username")
    token.add_argument("--scopes", nargs="+", default=["read", "write", "follow"],
                       help="OAuth scopes (default: read write follow)")
    token.set_defaults(handler=cmd_tokens_create)

    from server.cli_members import add_commands
    from server.held_cli import add_commands as add_held_commands
    from server.moderation_cli import add_commands as add_moderation_commands

    add_commands(commands)
    add_moderation_commands(commands, CommandError)
    add_held_commands(commands, CommandError)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[Settings, argparse.Namespace], int | Awaitable[int]] = args.handler
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"curbside: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    return run_command(handler, settings, args)


def run_command(handler: Callable, settings: Settings, args: argparse.Namespace) -> int:
    """Run one command: a refusal (a service's ServiceError, or the command's own) is one line on stderr and
    exit code 1."""
    from server.cli_members import Refused

    try:
        return handler(settings, args)
    except (ServiceError, CommandError, Refused) as exc:
        print(f"curbside: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
