"""server.db.burst: a function of sync writes runs inside the session's transaction, after its pending changes,
and on SQLite in one hop to the connection's thread (so that SQLite's write lock is held for one burst)."""
import aiosqlite
import pytest
from sqlalchemy import insert, select

from server.db import burst
from server.db.models import InstanceSetting


def _write_two(connection):
    connection.execute(insert(InstanceSetting), [{"key": "burst.a", "value": 1}, {"key": "burst.b", "value": 2}])
    connection.execute(insert(InstanceSetting).values(key="burst.c", value=3))
    return connection.execute(select(InstanceSetting.key).where(InstanceSetting.key.like("burst.%"))).scalars().all()


async def _keys(app) -> list[str]:
    async with app.state.sessions() as session:
        return sorted((await session.scalars(select(InstanceSetting.key).where(InstanceSetting.key.like("burst.%")))))


async def test_burst_writes_are_the_sessions_transaction_and_see_its_pending_changes(app):
    async with app.state.sessions() as session:
        session.add(InstanceSetting(key="burst.pending", value=0))
        seen = await burst.run(session, _write_two)
        assert sorted(seen) == ["burst.a", "burst.b", "burst.c", "burst.pending"]
        await session.rollback()
    assert await _keys(app) == []
    async with app.state.sessions() as session:
        await burst.run(session, _write_two)
        await session.commit()
    assert await _keys(app) == ["burst.a", "burst.b", "burst.c"]


async def test_burst_on_sqlite_is_one_hop_to_the_connection_thread(app, monkeypatch):
    if not app.state.settings.is_sqlite:
        pytest.skip("aiosqlite's thread: SQLite only")
    hops = []
    real = aiosqlite.Connection._execute

    async with app.state.sessions() as session:
        ours = (await (await session.connection()).get_raw_connection()).driver_connection

        async def counted(self, fn, *args, **kwargs):
            if self is ours:  # not the other connections of the app (its streaming hub polls)
                hops.append(fn)
            return await real(self, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        await burst.run(session, _write_two)
        monkeypatch.undo()
        await session.commit()
    assert len(hops) == 1


async def test_burst_commit_keeps_what_was_written_before_it_on_sqlite_only(app):
    """On SQLite a burst may commit as it goes (releasing the write lock); what follows is rolled back as usual.
    On PostgreSQL commit does nothing: the session's transaction covers the whole burst."""
    def write_commit_write(connection):
        connection.execute(insert(InstanceSetting).values(key="burst.before", value=1))
        burst.commit(connection)
        connection.execute(insert(InstanceSetting).values(key="burst.after", value=2))

    async with app.state.sessions() as session:
        await burst.run(session, write_commit_write)
        await session.rollback()
    assert await _keys(app) == (["burst.before"] if app.state.settings.is_sqlite else [])
    async with app.state.sessions() as session:  # and a commit after a burst that committed finds nothing amiss
        await burst.run(session, lambda c: c.execute(insert(InstanceSetting).values(key="burst.last", value=3)))
        await burst.run(session, burst.commit)
        await session.commit()
    assert "burst.last" in await _keys(app)
