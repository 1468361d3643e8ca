from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from server.db.migrate import current_revision, head_revision, migrate
from server.db.models import Actor, InstanceSetting


async def test_db_is_migrated_to_head_and_migrate_is_idempotent(app):
    engine = app.state.engine
    assert await current_revision(engine) == head_revision()
    assert await migrate(engine) == []


async def test_db_sqlite_runs_wal_with_foreign_keys(app, settings):
    if not settings.is_sqlite:
        pytest.skip("SQLite pragmas")
    async with app.state.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() >= 5000


async def test_db_datetimes_come_back_as_aware_utc(session):
    when = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone(timedelta(hours=2)))
    session.add(Actor(uri="https://r.example/u/a", username="a", domain="r.example", published=when))
    await session.commit()
    session.expunge_all()
    actor = (await session.execute(select(Actor))).scalar_one()
    assert actor.published == when and actor.published.tzinfo is not None
    assert actor.published.utcoffset() == timedelta(0)


async def test_db_usernames_are_unique_per_domain_regardless_of_case(session):
    session.add(Actor(uri="https://r.example/u/Bob", username="Bob", domain="r.example"))
    session.add(Actor(uri="https://s.example/u/bob", username="bob", domain="s.example"))
    await session.commit()
    session.add(Actor(uri="https://r.example/u/bob", username="bob", domain="r.example"))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_db_json_values_round_trip(session):
    session.add(InstanceSetting(key="rules", value=["Be kind", {"no": "PHI"}]))
    await session.commit()
    session.expunge_all()
    assert (await session.get(InstanceSetting, "rules")).value == ["Be kind", {"no": "PHI"}]
