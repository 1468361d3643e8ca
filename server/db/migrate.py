"""Apply the one Alembic history to the configured database, printing each step.

Alembic is imported only to migrate: whether a database is current (the revision it stores, the newest in
migrations/versions) is read without it, as every command of the command line asks that first.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
# Several web and worker processes may start at once against one PostgreSQL: one migrates, the rest wait.
_PG_LOCK_ID = 0x6375726273696465  # "curbside"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


def head_revision() -> str:
    """The newest revision: the one no other follows (the history is one line, so there is one)."""
    revisions, followed = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields = dict(_REVISION_LINE.findall(path.read_text()))
        revisions.add(fields["revision"])
        followed.add(fields.get("down_revision"))
    (head,) = revisions - followed
    return head


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one_or_none()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None for an empty database."""
    async with engine.connect() as conn:
        return await conn.run_sync(_stored_revision)


async def migrate(engine: AsyncEngine, progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Upgrade the database to the newest revision; return the revisions applied, oldest first."""
    if await current_revision(engine) == head_revision():
        return []
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    applied: list[str] = []

    def upgrade(connection) -> None:
        start = _stored_revision(connection)
        pending = [r for r in script.iterate_revisions(script.get_current_head(), start)][::-1]
        for rev in pending:
            progress(f"applying migration {rev.revision}: {rev.doc}")
            applied.append(rev.revision)
        if pending:
            config = alembic_config()
            config.attributes["connection"] = connection
            with warnings.catch_warnings():
                # A batch migration on SQLite reflects the tables it rebuilds and those they reference; SQLAlchemy
                # then warns that it cannot reflect expression indexes (the models recreate them): noise on stderr.
                warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
                command.upgrade(config, "head")

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        await conn.run_sync(upgrade)
    return applied
