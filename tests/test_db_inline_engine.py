"""server.db.engine's inline SQLite engine (the command line's): the same sessions, transactions and bursts as over
aiosqlite, with every call on the event loop's own thread."""
import threading

from sqlalchemy import insert, select

from server.db import burst
from server.db.models import InstanceSetting
from server.runtime import Runtime


async def _keys(runtime) -> list[str]:
    async with runtime.sessions() as session:
        return sorted(await session.scalars(select(InstanceSetting.key).where(InstanceSetting.key.like("inline.%"))))


async def test_inline_engine_commits_rolls_back_and_bursts_on_the_loops_thread(app, settings):
    runtime = Runtime.create(settings, inline_sqlite=True)
    threads = threading.active_count()
    try:
        async with runtime.sessions() as session:
            session.add(InstanceSetting(key="inline.kept", value=1))
            await session.commit()
            session.add(InstanceSetting(key="inline.dropped", value=2))
            await session.flush()
            await session.rollback()
        async with runtime.sessions() as session:
            def write(connection):
                connection.execute(insert(InstanceSetting).values(key="inline.burst", value=3))
                burst.commit(connection)
                connection.execute(insert(InstanceSetting).values(key="inline.after", value=4))
            await burst.run(session, write)
            await session.rollback()
        assert await _keys(runtime) == (["inline.burst", "inline.kept"] if settings.is_sqlite else ["inline.kept"])
        if settings.is_sqlite:  # what the app's aiosqlite engine wrote is seen here, and the other way round
            assert threading.active_count() == threads  # no connection thread was started
            async with app.state.sessions() as session:
                assert (await session.get(InstanceSetting, "inline.kept")).value == 1
    finally:
        await runtime.close()
