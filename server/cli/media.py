"""`curbside media`: moving media to object storage (`migrate --to s3`), clearing the cache of other servers'
media (`prune --remote-older-than DAYS`)."""
from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from server.cli.common import CliError, run, say
from server.settings import Settings


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from server.storage.copying import copy_to
    from server.storage.local import LocalStorage
    from server.storage.s3 import S3Storage

    if not settings.s3_bucket:
        raise CliError("set CURBSIDE_S3_BUCKET (and the other CURBSIDE_S3_* settings) to the bucket to copy to",
                       exit_code=2)
    target = S3Storage.from_settings(settings)
    say(f"copying media and evidence from {settings.data_dir} to bucket {settings.s3_bucket}")
    try:
        done = asyncio.run(copy_to(target, LocalStorage(settings.data_dir), say))
    except (BotoCoreError, ClientError) as exc:  # the endpoint unreachable, the bucket missing, access denied
        raise CliError(f"copy to bucket {settings.s3_bucket} stopped: {type(exc).__name__}: {exc} "
                       "(run the command again: it goes on where it stopped)") from exc
    say(f"done: {done.copied} copied ({done.bytes} bytes), {done.skipped} already in the bucket"
        + ("" if settings.media_storage == "s3" else "; now set CURBSIDE_MEDIA_STORAGE=s3 and run this again"))
    return 0


def cmd_prune(settings: Settings, args: argparse.Namespace) -> int:
    from server.services.federation.remote_media import prune

    days = args.remote_older_than
    done = run(settings, lambda runtime: prune(runtime, timedelta(days=days)))
    say(f"pruned {done.files} cached remote media file{'' if done.files == 1 else 's'} fetched more than "
        f"{days} day{'' if days == 1 else 's'} ago, {done.bytes} bytes freed (they are fetched again when viewed)")
    return 0


def _days(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days (0 or more)")
    return int(value)


def add_commands(commands: argparse._SubParsersAction) -> None:
    media = commands.add_parser("media", help="media storage")
    actions = media.add_subparsers(dest="media_command", required=True, metavar="ACTION")
    migrate = actions.add_parser("migrate", help="copy local media and evidence to object storage (resumable)")
    migrate.add_argument("--to", choices=["s3"], required=True, help="where to copy to")
    migrate.set_defaults(handler=cmd_migrate)
    prune = actions.add_parser("prune", help="delete cached copies of other servers' media (fetched again on view)")
    prune.add_argument("--remote-older-than", type=_days, required=True, metavar="DAYS",
                       help="delete copies fetched more than DAYS days ago (0: all of them)")
    prune.set_defaults(handler=cmd_prune)
