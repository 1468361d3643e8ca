"""`curbside accounts` (create, list, role, disable, enable, alias, move) and `curbside tokens create`.

Changes go through server.services.accounts.member_admin, audited as by the shell user: the system administrator may
change anyone, but never leaves the instance without an admin."""
from __future__ import annotations

import argparse
import secrets
import sys

from server.cli.common import account_named, run_and_mail, run_in_session, say, via
from server.settings import Settings

ROLES = ["admin", "moderator", "member"]


def create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts.members import NewAccount, create_account

    generated = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = generated = secrets.token_urlsafe(18)

    async def work(runtime, session):
        return await create_account(session, runtime.urls, settings.domain, NewAccount(
            username=args.username, email=args.email, password=password, role=args.role))

    account = run_in_session(settings, work)
    say(f"created {account.role} @{account.actor.username}@{settings.domain} <{account.email}>")
    if generated:
        say(f"password: {generated}")
    return 0


def listing(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts.members import list_accounts

    accounts = run_in_session(settings, lambda runtime, session: list_accounts(session))
    say(f"{'ID':>5}  {'USERNAME':<30} {'ROLE':<10} {'EMAIL':<40} CREATED")
    for a in accounts:
        say(f"{a.id:>5}  {a.actor.username:<30} {a.role:<10} {a.email:<40} {a.created_at:%Y-%m-%d}")
    return 0


def change(settings: Settings, args: argparse.Namespace) -> int:
    """`role`, `disable` or `enable`."""
    from server.services.accounts import member_admin

    async def work(session, mail):
        account = await account_named(session, settings, args.username)
        if args.change == "role":
            return await member_admin.set_role(session, account, args.role, by=via())
        if args.change == "disable":
            return await member_admin.disable(session, account, by=via(), reason=args.reason or "")
        return await member_admin.enable(session, account, by=via())

    changed = run_and_mail(settings, work)
    if args.change == "role":
        say(f"@{args.username} is {'now' if changed else 'already'} {args.role}")
    else:
        say(f"{args.change}d @{args.username}")
    return 0


def alias(settings: Settings, args: argparse.Namespace) -> int:
    """List ACCT as also being USERNAME (`--remove`: no longer), resolved over WebFinger."""
    from server.services.accounts import migration

    async def work(runtime, session):
        account = await account_named(session, settings, args.username)
        other = await migration.find_account(runtime, session, args.acct)
        if args.remove:
            await migration.remove_alias(runtime, session, account.actor, other.uri, by=via())
        else:
            await migration.add_alias(runtime, session, account.actor, args.acct, by=via())
        return other.uri

    uri = run_in_session(settings, work)
    say(f"@{args.username} {'no longer lists' if args.remove else 'lists'} {uri} as an alias")
    return 0


def move(settings: Settings, args: argparse.Namespace) -> int:
    """Move USERNAME to ACCT (which must list USERNAME as an alias): Move sent to her followers."""
    from server.services.accounts import migration

    async def work(runtime, session):
        account = await account_named(session, settings, args.username)
        return (await migration.move_out(runtime, session, account, args.acct, by=via())).uri

    say(f"@{args.username} moved to {run_in_session(settings, work)}; she may undo it on /settings/migration "
        f"within {migration.MOVE_UNDO_DAYS} days")
    return 0


def token(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts.oauth import issue_token
    from server.services.accounts.scopes import parse_scopes

    scopes = parse_scopes(" ".join(args.scopes))

    async def work(runtime, session):
        account = await account_named(session, settings, args.username)
        return (await issue_token(session, None, account, scopes, refreshable=False)).access_token

    say(run_in_session(settings, work))
    return 0


def _add_changes(accounts: argparse._SubParsersAction) -> None:
    role = accounts.add_parser("role", help="make USERNAME a member, moderator or admin")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=change, change="role")
    disable = accounts.add_parser("disable", help="log USERNAME out everywhere and refuse their logins")
    disable.add_argument("username")
    disable.add_argument("--reason", help="kept in the audit log")
    disable.set_defaults(handler=change, change="disable")
    enable = accounts.add_parser("enable", help="let a disabled USERNAME log in again")
    enable.add_argument("username")
    enable.set_defaults(handler=change, change="enable")
    aliases = accounts.add_parser("alias", help="list ACCT (user@domain) as another account of USERNAME's")
    aliases.add_argument("username")
    aliases.add_argument("acct")
    aliases.add_argument("--remove", action="store_true", help="no longer list ACCT")
    aliases.set_defaults(handler=alias)
    moving = accounts.add_parser("move", help="move USERNAME to ACCT, which lists USERNAME as an alias")
    moving.add_argument("username")
    moving.add_argument("acct")
    moving.set_defaults(handler=move)


def add_commands(commands: argparse._SubParsersAction) -> None:
    accounts = commands.add_parser("accounts", help="manage local accounts").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    new = accounts.add_parser("create", help="create an account (prints a password unless --password-stdin)")
    new.add_argument("username")
    new.add_argument("--email", required=True)
    new.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    new.add_argument("--role", choices=ROLES, default="member")
    new.set_defaults(handler=create)
    accounts.add_parser("list", help="list local accounts").set_defaults(handler=listing)
    _add_changes(accounts)

    tokens = commands.add_parser("tokens", help="API tokens for scripts and bots").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    new_token = tokens.add_parser("create", help="print a new bearer token for USERNAME")
    new_token.add_argument("username")
    new_token.add_argument("--scopes", nargs="+", default=["read", "write", "follow"],
                           help="OAuth scopes (default: read write follow)")
    new_token.set_defaults(handler=token)
