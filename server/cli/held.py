"""`curbside held`: the patient-privacy guard's review queue from the shell (list, approve, reject) and
the policy in force (`curbside held policy [off|warn|hold|block]`). Decisions are audited as by ``cli``; what
they queue is sent by a worker (nothing is woken from here)."""
from __future__ import annotations

import argparse

from server.cli.common import run_in_session, say
from server.runtime import Runtime
from server.settings import PHI_POLICIES, Settings

BY = "cli"


def _excerpt(text: str | None, size: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= size else flat[:size - 1] + "…"


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.db.models import HeldPost, Post

    async def work(runtime: Runtime, session) -> list[str]:
        query = select(HeldPost, Post).join(Post, Post.id == HeldPost.post_id).order_by(HeldPost.id).limit(args.limit)
        lines = []
        for held, post in (await session.execute(query)).all():
            kinds = ", ".join(sorted({f.get("kind", "?") for f in held.findings or []})) or "none"
            text = (held.edit or {}).get("text") if held.kind == "edit" else post.source
            lines.append(f"{held.id}\t{held.kind}\t{held.created_at:%Y-%m-%d %H:%M}\t{post.author.acct}\t"
                         f"{held.visibility}\tfound: {kinds}\t{_excerpt(text)}")
        return lines

    lines = run_in_session(settings, work)
    say("\n".join(lines) if lines else "no held posts")
    return 0


def cmd_decide(approve: bool):
    def handler(settings: Settings, args: argparse.Namespace) -> int:
        from server.services.moderation import held as held_queue

        async def work(runtime: Runtime, session) -> str:
            if approve:
                post = await held_queue.approve(runtime, session, None, args.id, by=BY)
            else:
                post = await held_queue.reject(runtime, session, None, args.id, args.reason, by=BY)
            return post.uri

        uri = run_in_session(settings, work)
        say(f"{args.id}: {'approved' if approve else 'rejected'} ({uri})")
        return 0
    return handler


def cmd_policy(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.instance import settings as instance_settings

    async def work(runtime: Runtime, session) -> str:
        if args.policy is not None:
            await instance_settings.set_phi_policy(session, args.policy, by=BY)
        return await instance_settings.phi_policy(session, settings)

    say(f"patient-privacy policy: {run_in_session(settings, work)}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    held = commands.add_parser("held", help="posts held by the patient-privacy guard").add_subparsers(
        dest="subcommand", required=True, metavar="SUBCOMMAND")
    listing = held.add_parser("list", help="the posts and edits waiting for a moderator, oldest first")
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(handler=cmd_list)
    approve = held.add_parser("approve", help="publish a held post (or apply a held edit)")
    approve.add_argument("id", type=int)
    approve.set_defaults(handler=cmd_decide(True))
    reject = held.add_parser("reject", help="delete a held post (or drop a held edit); the author is told why")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True, help="told to the author")
    reject.set_defaults(handler=cmd_decide(False))
    policy = held.add_parser("policy", help="show or set the policy (overrides CURBSIDE_PHI_POLICY)")
    policy.add_argument("policy", nargs="?", choices=PHI_POLICIES)
    policy.set_defaults(handler=cmd_policy)
