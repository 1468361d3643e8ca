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


async def test_db_local_usernames_are_unique_regardless_of_case(session):
    session.add(Actor(uri="https://here.example/users/Bob", username="Bob", domain="here.example", local=True))
    session.add(Actor(uri="https://r.example/u/bob", username="bob", domain="r.example"))
    await session.commit()
    session.add(Actor(uri="https://here.example/users/bob", username="bob", domain="here.example", local=True))
    with pytest.raises(IntegrityError):
        await session.commit()


async def test_db_remote_actors_may_share_a_username_on_one_host(session):
    # Lemmy: the user !x and the community @x share a preferredUsername
    session.add(Actor(uri="https://lemmy.example/u/medicine", username="medicine", domain="lemmy.example"))
    session.add(Actor(uri="https://lemmy.example/c/medicine", username="medicine", domain="lemmy.example"))
    await session.commit()
    assert len((await session.execute(select(Actor))).scalars().all()) == 2


async def test_db_schema_matches_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from server.db.fulltext import in_models
    from server.db.models import Base

    def diff(connection):
        opts = {"compare_type": False, "include_name": in_models}
        return compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata)

    async with app.state.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_db_json_values_round_trip(session):
    session.add(InstanceSetting(key="rules", value=["Be kind", {"no": "PHI"}]))
    await session.commit()
    session.expunge_all()
    assert (await session.get(InstanceSetting, "rules")).value == ["Be kind", {"no": "PHI"}]


def test_db_snowflakes_of_interleaved_moments_never_collide():
    """Posts of a few whole seconds (remote servers' `published`) arriving interleaved, as a busy inbox sees them:
    every id is distinct and keeps its moment, and those of one moment keep the order they were made in."""
    from datetime import datetime, timedelta, timezone

    from server.db.ids import snowflake

    moments = [datetime(2024, 5, 1, 10, tzinfo=timezone.utc) + timedelta(seconds=s) for s in range(3)]
    made = [(m, snowflake(m)) for _ in range(20_000) for m in moments]
    assert len({i for _, i in made}) == len(made)
    assert all(i >> 16 == int(m.timestamp() * 1000) for m, i in made)
    of_first = [i for m, i in made if m == moments[0]]
    assert sum(a > b for a, b in zip(of_first, of_first[1:])) <= 1  # once at most, where the 16 bits wrap
