"""Taking a test database back to just before a migration, to test that migration on data written before it."""
from alembic import command
from alembic.script import ScriptDirectory

from server.db.migrate import alembic_config


async def downgrade_to_before(engine, revision: str) -> None:
    """Downgrade to the revision `revision` follows (a revision id, or a unique prefix of one)."""
    before = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision

    def down(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, before)

    async with engine.begin() as conn:
        await conn.run_sync(down)
