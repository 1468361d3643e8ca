"""Taking a test database back to just before a migration, to test that migration on data written before it."""
from types import SimpleNamespace

from alembic import command
from alembic.script import ScriptDirectory

from server.db.migrate import alembic_config
from server.services.accounts.members import NewAccount, create_account


async def downgrade_to_before(engine, revision: str) -> None:
    """Downgrade to the revision `revision` follows (a revision id, or a unique prefix of one)."""
    before = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision

    def down(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, before)

    async with engine.begin() as conn:
        await conn.run_sync(down)


async def author_before(app, revision: str) -> SimpleNamespace:
    """A member "ann" created with today's models, then the database taken back to before `revision` (columns added
    since are dropped, rows kept): what tests/support/factories.post needs of her, as a plain value, since today's
    Actor model cannot load from the older schema."""
    async with app.state.sessions() as session:
        actor = (await create_account(session, app.state.urls, app.state.settings.domain,
                                      NewAccount(username="ann", email="ann@example.org"))).actor
        author = SimpleNamespace(id=actor.id, uri=actor.uri, username=actor.username,
                                 followers_url=actor.followers_url)
        await session.commit()
    await downgrade_to_before(app.state.engine, revision)
    return author
