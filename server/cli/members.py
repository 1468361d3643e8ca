"""`curbside invites`, `registrations`, `verifications` and `verifiers`: who may join, and members' verification.
Changes are audited as by the shell user (`cli:<user>`); mail they cause is sent once they are committed."""
from __future__ import annotations

import argparse

from server.cli.common import CliError, account_named, run_and_mail, run_with_runtime_and_mail, say, via
from server.settings import Settings


def invites_create(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts import member_admin
    from server.services.accounts.invites import invite_url
    from server.urls import LocalUrls

    async def work(session, mail):
        return await member_admin.create_invite(session, by=via(), max_uses=args.uses,
                                                expires_in_days=args.expires_in)

    invite = run_and_mail(settings, work)
    say(invite_url(LocalUrls(settings.base_url), invite))
    return 0


def invites_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts.invites import is_usable, list_invites

    invites = run_and_mail(settings, lambda session, mail: list_invites(session))
    say(f"{'ID':>6}  {'CODE':<18} {'USES':<9} {'EXPIRES':<17} STATE")
    for i in invites:
        uses = f"{i.uses}/{i.max_uses if i.max_uses is not None else '∞'}"
        expires = f"{i.expires_at:%Y-%m-%d %H:%M}" if i.expires_at else "never"
        say(f"{i.id:>6}  {i.code:<18} {uses:<9} {expires:<17} {'usable' if is_usable(i) else 'spent'}")
    return 0


def registrations_mode(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import settings as instance_settings

    async def work(session, mail):
        if args.mode:
            await instance_settings.change(session, settings, {"registration_mode": args.mode}, by=via())
        return await instance_settings.registration_mode(session, settings)

    say(f"registration mode: {run_and_mail(settings, work)}")
    return 0


def registrations_approve(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.accounts import member_admin

    async def work(session, mail):
        account = await account_named(session, settings, args.username)
        mail.append(await member_admin.approve_registration(session, settings, account, by=via()))

    run_and_mail(settings, work)
    say(f"approved @{args.username}")
    return 0


def verifications_list(settings: Settings, args: argparse.Namespace) -> int:
    from server.db.models import Account
    from server.services.verification.workflow import OPEN_STATES, review_queue

    async def work(session, mail):
        states = OPEN_STATES if args.state == "open" else (args.state,)
        return [(r, await session.get(Account, r.account_id)) for r in await review_queue(session, states)]

    rows = run_and_mail(settings, work)
    say(f"{'ID':>20}  {'USERNAME':<20} {'STATE':<15} {'PROFESSION':<20} {'SPECIALTY':<11} {'CREDENTIAL':<28} "
         f"{'JURISDICTION':<12} SUBMITTED")
    for r, account in rows:
        credential = f"{r.credential_type}:{r.credential_number}"
        say(f"{r.id:>20}  {account.actor.username:<20} {r.state:<15} {r.profession:<20} {r.specialty_code:<11} "
             f"{credential:<28} {r.jurisdiction:<12} {r.created_at:%Y-%m-%d}")
    if not rows:
        say(f"no {args.state} verification requests")
    return 0


def _decide(settings: Settings, request_id: str, decide) -> object:
    from server.db.models import VerificationRequest


    if not request_id.isdigit():
        raise CliError(f"not a request id: {request_id!r}")

    async def work(runtime, session, mail):
        found = await session.get(VerificationRequest, int(request_id))
        if found is None:
            raise CliError(f"no verification request {request_id}")
        return await decide(session, found, mail, runtime.storage)

    return run_with_runtime_and_mail(settings, work)


def verifications_approve(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.verification.workflow import approve

    verification = _decide(settings, args.id, lambda s, r, mail, storage: approve(s, settings, r, None, mail,
                                                                            storage=storage, via=via()))
    say(f"approved request {args.id}: verified until {verification.valid_until:%Y-%m-%d}")
    return 0


def verifications_reject(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.verification.workflow import reject

    _decide(settings, args.id, lambda s, r, mail, storage: reject(s, settings, r, None, args.reason, mail,
                                                                  storage=storage, via=via()))
    say(f"rejected request {args.id}")
    return 0


def verifications_grant(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.verification.workflow import grant

    async def work(session, mail):
        member = await account_named(session, settings, args.username)
        return await grant(session, settings, member, None, profession=args.profession, specialty=args.specialty,
                           jurisdiction=args.jurisdiction, mail=mail, via=via())

    verification = run_and_mail(settings, work)
    say(f"verified @{args.username} until {verification.valid_until:%Y-%m-%d}")
    return 0


def verifications_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.verification.workflow import revoke

    async def work(session, mail):
        member = await account_named(session, settings, args.username)
        return await revoke(session, settings, member, None, args.reason, mail, via=via())

    run_and_mail(settings, work)
    say(f"revoked the verification of @{args.username}")
    return 0


def verifiers(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import settings as s

    async def work(session, mail):
        if args.action == "trust":
            await s.trust_verifier(session, args.domain, by=via())
        elif args.action == "untrust" and not await s.untrust_verifier(session, args.domain, by=via()):
            raise CliError(f"{args.domain} is not a trusted verifier")
        return await s.trusted_verifiers(session)

    trusted = run_and_mail(settings, work)
    if args.action == "list":
        say("\n".join(trusted) if trusted else "no trusted verifiers")
    else:
        say(f"{'trusting' if args.action == 'trust' else 'no longer trusting'} {s.normalize_domain(args.domain)}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add `invites`, `registrations`, `verifications` and `verifiers` to the `curbside` parser."""
    def group(name: str, text: str) -> argparse._SubParsersAction:
        return commands.add_parser(name, help=text).add_subparsers(dest="subcommand", required=True,
                                                                   metavar="SUBCOMMAND")

    invites = group("invites", "invite links")
    create = invites.add_parser("create", help="print a new invite link")
    create.add_argument("--uses", type=int, help="how many accounts it may create (default: unlimited)")
    create.add_argument("--expires-in", type=float, metavar="DAYS", help="days until it expires (default: never)")
    create.set_defaults(handler=invites_create)
    invites.add_parser("list", help="list invite links").set_defaults(handler=invites_list)

    registrations = group("registrations", "who may join")
    mode = registrations.add_parser("mode", help="show or set the registration mode")
    mode.add_argument("mode", nargs="?", choices=["closed", "invite", "approval", "open"])
    mode.set_defaults(handler=registrations_mode)
    approve = registrations.add_parser("approve", help="approve a pending registration")
    approve.add_argument("username")
    approve.set_defaults(handler=registrations_approve)

    verifications = group("verifications", "member verification")
    listing = verifications.add_parser("list", help="list verification requests (default: those open)")
    listing.add_argument("--state", default="open", choices=["open", "pending", "info_requested", "approved",
                                                              "rejected"])
    listing.set_defaults(handler=verifications_list)
    approve = verifications.add_parser("approve", help="approve request ID")
    approve.add_argument("id")
    approve.set_defaults(handler=verifications_approve)
    reject = verifications.add_parser("reject", help="reject request ID with a reason")
    reject.add_argument("id")
    reject.add_argument("--reason", required=True)
    reject.set_defaults(handler=verifications_reject)
    grant = verifications.add_parser("grant", help="verify a member directly (audited)")
    grant.add_argument("username")
    grant.add_argument("--profession", required=True)
    grant.add_argument("--specialty", required=True, metavar="CODE", help="NUCC taxonomy code, e.g. 207RC0000X")
    grant.add_argument("--jurisdiction", required=True, help="e.g. US-CA, GB, DE")
    grant.set_defaults(handler=verifications_grant)
    revoke = verifications.add_parser("revoke", help="withdraw a member's verification")
    revoke.add_argument("username")
    revoke.add_argument("--reason", required=True)
    revoke.set_defaults(handler=verifications_revoke)

    trusted = group("verifiers", "instances whose verifications show as badges here")
    for action, text in (("trust", "trust DOMAIN's verifications"), ("untrust", "stop trusting DOMAIN")):
        command = trusted.add_parser(action, help=text)
        command.add_argument("domain")
        command.set_defaults(handler=verifiers, action=action)
    trusted.add_parser("list", help="list trusted verifiers").set_defaults(handler=verifiers, action="list")
