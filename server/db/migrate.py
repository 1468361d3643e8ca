"""Apply the one Alembic history to the configured database, printing each step."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
# Several web and worker processes may start at once against one PostgreSQL: one migrates, the rest wait.
_PG_LOCK_ID = 0x6375726273696465  # "curbside"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def migrate(engine: AsyncEngine, progress: Callable[[str], None] = lambda _: None) -> list[str]:
    """Upgrade the database to the newest revision; return the revisions applied, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    applied: list[str] = []

    def upgrade(connection) -> None:
        start = MigrationContext.configure(connection).get_current_revision()
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
