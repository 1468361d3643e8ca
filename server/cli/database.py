"""`curbside migrate` and `curbside check`: the database schema and whether the instance can start."""
from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import text

from server.cli.common import redact, require_current_schema, run, say, unreachable
from server.db.engine import make_engine
from server.settings import Settings


async def _nothing(runtime) -> None:
    pass


def migrate(settings: Settings, args: argparse.Namespace) -> int:
    run(settings, _nothing, loud=True)
    return 0


async def _revision(settings: Settings) -> str | None:
    from server.db.migrate import current_revision

    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return await current_revision(engine)
    except Exception as exc:
        raise unreachable(settings, exc) from exc
    finally:
        await engine.dispose()


def _image_text_line() -> str:
    from moderation.phi import ocr

    if ocr.available():
        return "image text: read by Tesseract (privacy guard)"
    return f"image text: NOT read, so images are reported unchecked by the privacy guard: {ocr.missing_reason()}"


def check(settings: Settings, args: argparse.Namespace) -> int:
    revision = asyncio.run(_revision(settings))
    say(f"settings: ok (domain {settings.domain}, data in {settings.data_dir})")
    say(f"database: reachable ({redact(settings.database_url)})")
    say(_image_text_line())
    require_current_schema(revision)
    say(f"schema: up to date ({revision})")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=migrate)
    commands.add_parser("check", help="check settings and database").set_defaults(handler=check)
