"""`curbside announcements`: what admins tell every member (shown in their apps), created, listed and deleted.
Changes are audited as by the shell user (`cli:<user>`)."""
from __future__ import annotations

import argparse

from server.cli.common import run_in_session, say, via
from server.settings import Settings


def announcements_create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import announcements

    async def work(runtime, session):
        example = "must be a date and time such as 2026-12-24T09:00"
        starts_at = announcements.parse_when(args.starts_at, f"--starts-at {example}")
        ends_at = announcements.parse_when(args.ends_at, f"--ends-at {example}")
        row = await announcements.create(session, args.text, by=via(), starts_at=starts_at, ends_at=ends_at)
        return row.id

    say(f"created announcement {run_in_session(settings, work)}")
    return 0


def announcements_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import announcements

    async def work(runtime, session):
        return [(row.id, row.starts_at, row.ends_at, row.text) for row in await announcements.every(session)]

    say(f"{'ID':<20} {'STARTS':<17} {'ENDS':<17} TEXT")
    for row_id, starts, ends, text in run_in_session(settings, work):
        say(f"{row_id:<20} {_when(starts):<17} {_when(ends):<17} {text.splitlines()[0][:60]}")
    return 0


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def announcements_delete(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import announcements

    async def work(runtime, session):
        await announcements.remove(session, args.id, by=via())

    run_in_session(settings, work)
    say(f"deleted announcement {args.id}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `announcements` to the `curbside` parser."""
    group = commands.add_parser("announcements", help="announcements to every member").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    create = group.add_parser("create", help="announce something to every member")
    create.add_argument("text", metavar="TEXT")
    create.add_argument("--starts-at", metavar="WHEN", help="ISO 8601 (UTC unless given); default: now")
    create.add_argument("--ends-at", metavar="WHEN", help="ISO 8601 (UTC unless given); default: until deleted")
    create.set_defaults(handler=announcements_create)
    group.add_parser("list", help="list announcements, newest first").set_defaults(handler=announcements_list)
    delete = group.add_parser("delete", help="delete an announcement")
    delete.add_argument("id", metavar="ID", type=int)
    delete.set_defaults(handler=announcements_delete)
