"""The `curbside` command: its parser, assembled from one module per command group, and the one runner.

Every mistake of the user ends in one line on stderr and a non-zero exit: 2 for a wrong setting or
argument, 1 for a refused action or an unreachable database (`failure` says which).
"""
from __future__ import annotations

import argparse
import gc
import sys

from moderation.errors import ServiceError
from server.cli import (
    accounts,
    announcements,
    backup,
    database,
    groups,
    held,
    media,
    members,
    moderation,
    serve,
    worker,
)
from server.cli.common import CliError, share_metrics
from server.logs import configure_logging
from server.settings import SettingsError, load_settings

# in the order `curbside --help` lists
GROUPS = (serve, worker, database, backup, accounts, members, groups, moderation, held, media, announcements)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curbside", description="Curbside community server")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands)
    return parser


def failure(exc: Exception) -> CliError | None:
    """What the user is told of an exception that ends a command (one line and an exit code); None for a bug."""
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, SettingsError):
        return CliError(str(exc), exit_code=2)
    if isinstance(exc, ServiceError):
        return CliError(exc.message)
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)
        if settings.metrics_token:
            share_metrics(settings.data_dir)
        return args.handler(settings, args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        known = failure(exc)
        if known is None:
            raise
        print(f"curbside: {known.message}", file=sys.stderr)
        return known.exit_code


def run() -> None:
    """The `curbside` program (the console script, `python -m server.cli`): main() on the command line, then exit.
    At exit Python collects garbage over every object still alive as it tears the modules down: ~0.5 s of CPU for
    serve's (0.2 s for a short command), for memory the process is about to give back. Frozen, they are skipped."""
    code = main()
    gc.freeze()
    sys.exit(code)
