"""Migration 0032: the group moderation tables come and go without touching what was stored before them."""
from sqlalchemy import inspect, select

from server.db.migrate import migrate
from server.db.models import GroupThreadState, Post
from tests.support import factories
from tests.support.migrations import author_before, downgrade_to_before


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_group_moderation_migration_adds_its_tables_and_goes_back(app):
    engine = app.state.engine
    author = await author_before(app, "0032_group_moderation")
    assert not {"group_thread_states", "group_bans"} & await _tables(engine)
    async with app.state.sessions() as session:
        post = await factories.post(session, app.state.urls, author, "public")
        await session.commit()
    await migrate(engine)
    assert {"group_thread_states", "group_bans"} <= await _tables(engine)
    async with app.state.sessions() as session:
        session.add(GroupThreadState(post_id=post.id, group_actor_id=author.id, locked=True))
        await session.commit()
        assert (await session.execute(select(GroupThreadState.locked))).scalar_one() is True
    await downgrade_to_before(engine, "0032_group_moderation")
    assert not {"group_thread_states", "group_bans"} & await _tables(engine)
    async with app.state.sessions() as session:
        assert (await session.execute(select(Post.id))).scalars().all() == [post.id]
