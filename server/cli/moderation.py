"""The moderation commands of `curbside`: `domains` (block, limit, allow, remove, list, mode),
`blocklists` (import, export, subscribe, unsubscribe, refresh, list, approve, reject, publish) and
`audit`. Actions are audited as by ``cli``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from moderation.blocklists import FORMATS, BlocklistError, export_blocklist, format_diff, parse_blocklist
from moderation.domains import DomainPolicy, FederationMode, Severity
from moderation.errors import ServiceError
from server.cli.common import CliError, run, say
from server.runtime import Runtime
from server.settings import Settings

BY = "cli"
MAX_FILE_BYTES = 50_000_000
REFRESH_WAIT = 60.0  # seconds to wait for lists a worker is fetching at that moment


def _domain(value: str) -> str:
    from server.services.moderation.policies import check_domain

    return check_domain(value)


# domains ------------------------------------------------------------------------------------

def cmd_domains_set(severity: Severity | None):
    def handler(settings: Settings, args: argparse.Namespace) -> int:
        from server.services.moderation.domains import set_local_policy

        domain = _domain(args.domain)
        if severity is None:
            policy = DomainPolicy(domain, allow=True, private_comment=args.private_comment or "")
        else:
            policy = DomainPolicy(domain, severity, args.reject_media, args.reject_reports, args.public_comment or "",
                                  args.private_comment or "", args.obfuscate)

        async def work(runtime: Runtime) -> None:
            async with runtime.sessions() as session:
                await set_local_policy(session, policy, by=BY)
                await session.commit()

        run(settings, work)
        say(f"{domain}: {'allowed' if severity is None else severity.value}")
        return 0
    return handler


def cmd_domains_remove(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.domains import remove_local_policies

    domain = _domain(args.domain)
    allow = True if args.allow_only else False if args.block_only else None

    async def work(runtime: Runtime) -> int:
        async with runtime.sessions() as session:
            removed = await remove_local_policies(session, domain, allow=allow, by=BY)
            await session.commit()
            return removed

    removed = run(settings, work)
    if not removed:
        raise CliError(f"no local policy on {domain}")
    say(f"{domain}: {removed} local polic{'y' if removed == 1 else 'ies'} removed")
    return 0


def cmd_domains_list(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.db.models import BlocklistSubscription
    from server.services.moderation.domains import list_records
    from server.services.moderation.policies import read_mode

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            rows = await list_records(session, state="draft" if args.drafts else "active")
            urls = dict((await session.execute(select(BlocklistSubscription.id, BlocklistSubscription.url))).all())
            return await read_mode(session), rows, urls

    mode, rows, urls = run(settings, work)
    say(f"federation mode: {mode.value}")
    say(f"{'ID':>6}  {'DOMAIN':<40} {'POLICY':<9} {'FLAGS':<28} SOURCE")
    for row in rows:
        flags = ",".join(f for f in ("reject_media", "reject_reports", "obfuscate") if getattr(row, f)) or "-"
        source = "local" if row.subscription_id is None else urls.get(row.subscription_id, str(row.subscription_id))
        say(f"{row.id:>6}  {row.domain:<40} {'allow' if row.allow else row.severity:<9} {flags:<28} {source}")
    return 0


def cmd_domains_mode(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.domains import set_mode
    from server.services.moderation.policies import read_mode

    async def work(runtime: Runtime) -> FederationMode:
        async with runtime.sessions() as session:
            if args.mode:
                await set_mode(session, FederationMode(args.mode), by=BY)
                await session.commit()
            return await read_mode(session)

    say(f"federation mode: {run(settings, work).value}")
    return 0


# blocklists ---------------------------------------------------------------------------------

def _read_file(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    try:
        path = Path(name)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CliError(f"{name}: larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror}") from None


def cmd_blocklists_import(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.domains import import_policies, plan_import

    try:
        incoming = parse_blocklist(_read_file(args.file), args.format)
    except BlocklistError as exc:
        raise CliError(f"{args.file}: {exc}; nothing imported") from None

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            if args.dry_run:
                return await plan_import(session, incoming)
            diff = await import_policies(session, incoming, by=BY, reason=f"import of {args.file}")
            await session.commit()
            return diff

    diff = run(settings, work)
    sys.stdout.write(format_diff(diff))
    say("dry run: nothing changed" if args.dry_run else f"imported {len(incoming)} entries")
    return 0


def cmd_blocklists_export(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.domains import effective_blocks
    from server.services.moderation.policies import load_policies

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            return effective_blocks(await load_policies(session))

    sys.stdout.write(export_blocklist(run(settings, work), args.format, public=args.public))
    return 0


def cmd_blocklists_subscribe(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.subscriptions import subscribe

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            row = await subscribe(session, args.url, priority=args.priority, as_drafts=args.drafts,
                                  allow=args.allowlist, allow_http=settings.allow_http, by=BY)
            await session.commit()
            return row

    row = run(settings, work)
    say(f"subscribed to {row.url} (id {row.id}, priority {row.priority}"
         f"{', as drafts' if row.as_drafts else ''}); run `curbside blocklists refresh` to fetch it now")
    return 0


def cmd_blocklists_unsubscribe(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.subscriptions import unsubscribe

    async def work(runtime: Runtime) -> int:
        async with runtime.sessions() as session:
            removed = await unsubscribe(session, args.url, by=BY)
            await session.commit()
            return removed

    say(f"unsubscribed; {run(settings, work)} policies of that list removed")
    return 0


def cmd_blocklists_refresh(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.subscriptions import refresh_all

    results = run(settings, lambda runtime: refresh_all(runtime, force=True, wait=REFRESH_WAIT, by=BY))
    if not results:
        say("no subscriptions")
    for result in results:
        say(f"{result.url}: {'ok' if result.ok else 'FAILED'}: {result.message}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise CliError(f"{len(failed)} of {len(results)} lists failed; their last good state is kept")
    return 0


def cmd_blocklists_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.subscriptions import list_subscriptions

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            return await list_subscriptions(session)

    for row in run(settings, work):
        state = f"FAILING since {row.failing_since:%Y-%m-%d %H:%M}: {row.last_error}" if row.failing_since else \
            (f"ok, fetched {row.last_success_at:%Y-%m-%d %H:%M}" if row.last_success_at else "never fetched")
        say(f"{row.id:>4}  priority {row.priority:<4} {'drafts ' if row.as_drafts else ''}{row.url}  [{state}]")
    return 0


def cmd_blocklists_decide(approve: bool):
    def handler(settings: Settings, args: argparse.Namespace) -> int:
        from server.services.moderation.subscriptions import decide_draft

        async def work(runtime: Runtime) -> None:
            async with runtime.sessions() as session:
                try:
                    for draft_id in args.ids:
                        await decide_draft(session, draft_id, approve=approve, by=BY)
                except ServiceError as exc:
                    raise CliError(f"{exc}; nothing changed") from None
                await session.commit()

        run(settings, work)
        say(f"{len(args.ids)} draft(s) {'approved' if approve else 'rejected'}")
        return 0
    return handler


def cmd_blocklists_publish(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.publish import read_visibility, set_visibility

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            if args.visibility is None:
                return await read_visibility(session)
            result = await set_visibility(session, args.visibility, args.trusted, by=BY)
            await session.commit()
            return result

    visibility, trusted = run(settings, work)
    say(f"published to: {visibility}" + (f" (trusted peers: {', '.join(trusted) or 'none'})"
                                          if visibility == "trusted" else ""))
    return 0


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.moderation.audit import entries

    async def work(runtime: Runtime):
        async with runtime.sessions() as session:
            return await entries(session, action=args.action, limit=args.limit)

    for entry in run(settings, work):
        reason = f"  ({entry.reason})" if entry.reason else ""
        say(f"{entry.created_at:%Y-%m-%d %H:%M:%S}  {entry.actor_name:<30} {entry.action:<26} "
             f"{entry.target_type}:{entry.target}{reason}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `domains`, `blocklists` and `audit` to the `curbside` parser."""
    domains = commands.add_parser("domains", help="domain policies: block, limit, allow").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    for name, severity, text in (("block", Severity.SUSPEND, "suspend a domain: no traffic either way, its "
                                  "content purged"), ("limit", Severity.LIMIT, "limit a domain: hidden from "
                                  "public timelines, follows from it need approval")):
        parser = domains.add_parser(name, help=text)
        parser.add_argument("domain")
        parser.add_argument("--reject-media", action="store_true", help="drop its media attachments")
        parser.add_argument("--reject-reports", action="store_true", help="ignore its reports")
        parser.add_argument("--public-comment", help="shown in the published list")
        parser.add_argument("--private-comment", help="for moderators only")
        parser.add_argument("--obfuscate", action="store_true", help="publish the name partly hidden")
        parser.set_defaults(handler=cmd_domains_set(severity))
    allow = domains.add_parser("allow", help="allow a domain (allowlist entry; overrides a subscribed list)")
    allow.add_argument("domain")
    allow.add_argument("--private-comment")
    allow.set_defaults(handler=cmd_domains_set(None))
    remove = domains.add_parser("remove", help="remove the local block and allow of a domain")
    remove.add_argument("domain")
    which = remove.add_mutually_exclusive_group()
    which.add_argument("--block-only", action="store_true")
    which.add_argument("--allow-only", action="store_true")
    remove.set_defaults(handler=cmd_domains_remove)
    listing = domains.add_parser("list", help="list the policies in force (local and from lists)")
    listing.add_argument("--drafts", action="store_true", help="list the drafts awaiting approval instead")
    listing.set_defaults(handler=cmd_domains_list)
    mode = domains.add_parser("mode", help="show or set the federation mode")
    mode.add_argument("mode", nargs="?", choices=[m.value for m in FederationMode])
    mode.set_defaults(handler=cmd_domains_mode)

    lists = commands.add_parser("blocklists", help="shared blocklists: import, export, subscribe").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    imp = lists.add_parser("import", help="import a list as local blocks (all or nothing)")
    imp.add_argument("file", help="a Mastodon CSV, GoToSocial JSON or plain-text list; - for stdin")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    imp.add_argument("--format", choices=FORMATS, help="default: detected")
    imp.set_defaults(handler=cmd_blocklists_import)
    exp = lists.add_parser("export", help="print the blocks in force")
    exp.add_argument("--format", choices=FORMATS, default="csv")
    exp.add_argument("--public", action="store_true", help="as published: no private comments, obfuscation honoured")
    exp.set_defaults(handler=cmd_blocklists_export)
    sub = lists.add_parser("subscribe", help="subscribe to a list by URL")
    sub.add_argument("url")
    sub.add_argument("--priority", type=int, default=0, help="higher wins where lists disagree (default 0)")
    sub.add_argument("--drafts", action="store_true", help="create drafts for approval instead of applying")
    sub.add_argument("--allowlist", action="store_true", help="the list names domains to allow")
    sub.set_defaults(handler=cmd_blocklists_subscribe)
    unsub = lists.add_parser("unsubscribe", help="drop a subscription and the policies it created")
    unsub.add_argument("url")
    unsub.set_defaults(handler=cmd_blocklists_unsubscribe)
    lists.add_parser("refresh", help="fetch and apply every subscribed list now").set_defaults(
        handler=cmd_blocklists_refresh)
    lists.add_parser("list", help="list subscriptions and their state").set_defaults(handler=cmd_blocklists_list)
    for name, approve in (("approve", True), ("reject", False)):
        decide = lists.add_parser(name, help=f"{name} drafts (ids from `domains list --drafts`)")
        decide.add_argument("ids", nargs="+", type=int)
        decide.set_defaults(handler=cmd_blocklists_decide(approve))
    publish = lists.add_parser("publish", help="show or set who may read this instance's list")
    publish.add_argument("visibility", nargs="?", choices=["nobody", "members", "trusted", "everyone"])
    publish.add_argument("--trusted", nargs="+", metavar="DOMAIN", help="the trusted peers' domains")
    publish.set_defaults(handler=cmd_blocklists_publish)

    audit = commands.add_parser("audit", help="show the moderation audit log, newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--action", help="only this action, e.g. domain.suspend")
    audit.set_defaults(handler=cmd_audit)
