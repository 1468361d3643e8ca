"""`curbside groups`: groups hosted here (FEP-1b12) created, listed, and their moderators named. Changes are
audited as by the shell user (`cli:<user>`)."""
from __future__ import annotations

import argparse

from server.cli.common import CliError, run_in_session, say, via
from server.settings import Settings


def groups_create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.groups.registry import GroupFields, NewGroup, create_group

    fields = GroupFields(title=args.title, description=args.description or "", specialties=args.specialty or [],
                         join=args.join, members_only=args.members_only)

    async def work(runtime, session):
        group = await create_group(session, runtime.urls, settings.domain, NewGroup(args.name, fields), by=via())
        return group.actor.uri

    say(f"created group {run_in_session(settings, work)}")
    return 0


def groups_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.groups.registry import list_groups

    async def work(runtime, session):
        return [(g.actor.username, g.join_policy, g.members_only, " ".join(g.specialties), g.actor.display_name)
                for g in await list_groups(session)]

    say(f"{'NAME':<30} {'JOIN':<9} {'SCOPE':<12} {'SPECIALTIES':<24} TITLE")
    for name, join, members_only, specialties, title in run_in_session(settings, work):
        say(f"{name:<30} {join:<9} {'members' if members_only else 'federated':<12} {specialties or '-':<24} {title}")
    return 0


def groups_moderators(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.groups import registry

    change = registry.add_moderator if args.action == "add" else registry.remove_moderator

    async def work(runtime, session):
        group = await registry.group_named(session, settings.domain, args.name)
        if group is None:
            raise CliError(f"no group named {args.name!r}")
        await change(session, settings.domain, group, args.username, by=via())

    run_in_session(settings, work)
    say(f"{'added' if args.action == 'add' else 'removed'} moderator @{args.username.lstrip('@')} of {args.name}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `groups` to the `curbside` parser."""
    groups = commands.add_parser("groups", help="groups hosted here").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    create = groups.add_parser("create", help="create a group")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--title", required=True)
    create.add_argument("--description")
    create.add_argument("--specialty", action="append", metavar="CODE", help="a NUCC taxonomy code (repeatable)")
    create.add_argument("--join", default="open", choices=["open", "members", "verified", "approval"])
    create.add_argument("--members-only", action="store_true", help="keep everything on this instance")
    create.set_defaults(handler=groups_create)
    groups.add_parser("list", help="list groups").set_defaults(handler=groups_list)
    moderators = groups.add_parser("moderators", help="name or remove a group's moderators")
    moderators.add_argument("action", choices=["add", "remove"])
    moderators.add_argument("name", metavar="NAME")
    moderators.add_argument("username", metavar="USERNAME")
    moderators.set_defaults(handler=groups_moderators)
