"""Migration 0033: the rate-limit counters and read-your-writes marks come and go with it, and nothing else."""
from sqlalchemy import inspect

from server.db.migrate import migrate
from tests.support.migrations import downgrade_to_before


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_rate_limits_migration_goes_down_and_up(app):
    engine = app.state.engine
    at_head = await _tables(engine)
    assert {"rate_limits", "recent_writes"} <= at_head
    await downgrade_to_before(engine, "0033")
    assert at_head - await _tables(engine) == {"rate_limits", "recent_writes"}
    assert "0033_rate_limits" in await migrate(engine)
    assert await _tables(engine) == at_head
