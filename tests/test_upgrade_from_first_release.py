"""An instance created by the first release (migration 0001), with data in every table it had, upgraded to the
current head as `curbside migrate` does (server.db.migrate.migrate), on SQLite and on PostgreSQL: every row is
still there under its primary key, with the same value in every column it had."""
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from server.db.engine import make_engine
from server.db.migrate import alembic_config, current_revision, head_revision, migrate
from tests.support.schema_rows import ROWS_PER_TABLE, fill, read, reflected

FIRST_RELEASE = ScriptDirectory.from_config(alembic_config()).get_base()
# Columns of the first release that a later migration removed on purpose (table, column): none so far.
DROPPED_ON_PURPOSE: set[tuple[str, str]] = set()


async def _empty(database_url: str):
    """An engine on an empty database: the SQLite file removed, or PostgreSQL's schema dropped and made again."""
    if database_url.startswith("sqlite"):
        Path(database_url.split("///", 1)[1]).unlink()
        return make_engine(database_url)
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    return engine


def _upgrade_to(revision: str):
    def upgrade(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return upgrade


async def test_upgrade_from_the_first_release_with_data_in_every_table_loses_nothing(database_url):
    engine = await _empty(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_to(FIRST_RELEASE))
        assert await current_revision(engine) == FIRST_RELEASE
        async with engine.begin() as conn:
            old_tables = await conn.run_sync(reflected)
            assert {t.name for t in old_tables} == {"actors", "accounts", "instance_settings"}
            await conn.run_sync(fill, old_tables)
            before = await conn.run_sync(read, old_tables)
        assert all(len(rows) == ROWS_PER_TABLE for rows in before.values())

        applied = await migrate(engine)
        assert applied and applied[-1] == head_revision() == await current_revision(engine)

        async with engine.connect() as conn:
            new_tables = {t.name: t for t in await conn.run_sync(reflected)}
            after = await conn.run_sync(read, [new_tables[name] for name in before])
        for table, rows in before.items():
            for key, row in rows.items():
                assert key in after[table], f"{table} row {key} is gone"
                kept = after[table][key]
                for column, value in row.items():
                    if (table, column) in DROPPED_ON_PURPOSE:
                        continue
                    assert column in kept, f"{table}.{column} is gone"
                    assert kept[column] == value, f"{table}.{column} of row {key}: {value!r} became {kept[column]!r}"
    finally:
        await engine.dispose()
