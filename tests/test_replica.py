"""A PostgreSQL streaming replica for read-heavy paths (CURBSIDE_DATABASE_REPLICA_URL), with read-your-writes:
a real hot standby made by `pg_basebackup -R` from a throwaway primary, its replay paused to make it lag."""
import asyncio
import secrets
import time

import pytest
from sqlalchemy import select

from server import replica
from server.db.engine import make_engine
from server.db.migrate import migrate
from server.db.models import RecentWrite
from server.replica import SESSION_COOKIE, credential
from server.settings import SettingsError, load_settings
from server.web.page import SESSION_COOKIE as WEB_SESSION_COOKIE
from tests.conftest import DATABASES, PG_BINDIR
from tests.support.apps import client_of, running_app
from tests.support.members import member, open_to_visitors
from tests.support.postgres import PostgresCluster, StandbyCluster

needs_postgres = pytest.mark.skipif("postgresql" not in DATABASES, reason="no PostgreSQL binaries")
ACTIVITY_JSON = {"accept": "application/activity+json"}
DB = "curbside"


@pytest.fixture(scope="module")
def replicated():
    """A primary with a migrated database, and its streaming replica."""
    primary = PostgresCluster(PG_BINDIR)
    primary.start()
    try:
        primary.psql(f"CREATE DATABASE {DB}")
        asyncio.run(_migrate(primary.url(DB)))
        standby = StandbyCluster(primary)
        try:
            standby.start()
            yield primary, standby
        finally:
            standby.stop()
    finally:
        primary.stop()  # even when the standby failed to start or stop


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


async def caught_up(primary: PostgresCluster, standby: StandbyCluster, timeout: float = 20) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = primary.query("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while standby.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
        assert time.monotonic() < deadline, "the replica did not catch up"
        await asyncio.sleep(0.05)


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [status["id"] for status in answer.json()]


def replica_settings(tmp_path, primary, standby, max_lag: float = 3600):
    """An app on the replica; `max_lag` an hour by default, so that a paused replay is read (the lag test
    sets it small)."""
    return load_settings({"CURBSIDE_DATA_DIR": str(tmp_path / "data"), "CURBSIDE_DOMAIN": "curbside.test",
                          "CURBSIDE_DATABASE_URL": primary.url(DB), "CURBSIDE_DATABASE_REPLICA_URL": standby.url(DB),
                          "CURBSIDE_INPROCESS_WORKER": "false", "CURBSIDE_DATABASE_REPLICA_MAX_LAG": str(max_lag)})


@needs_postgres
async def test_replica_lagging_member_sees_her_post_and_readers_see_the_replica(replicated, tmp_path):
    primary, standby = replicated
    async with running_app(replica_settings(tmp_path, primary, standby)) as app, client_of(app) as client:
        alice, bob = await member(app, "alice"), await member(app, "bob")
        await open_to_visitors(app)
        await caught_up(primary, standby)
        standby.query("SELECT pg_wal_replay_pause()")
        try:
            posted = await client.post("/api/v1/statuses", headers=alice.headers,
                                       json={"status": "Grand rounds move to 8 am", "visibility": "public"})
            assert posted.status_code == 200
            post = posted.json()["id"]
            assert standby.query("SELECT count(*) FROM posts", DB) == "0"  # the replica really lags
            # she wrote a moment ago: her reads go to the primary
            assert post in ids(await client.get("/api/v1/timelines/home", headers=alice.headers))
            assert post in ids(await client.get("/api/v1/timelines/public", headers=alice.headers))
            # everyone else reads the replica's view: a member, a visitor, a remote server, a visitor's browser
            assert post not in ids(await client.get("/api/v1/timelines/public", headers=bob.headers))
            assert post not in ids(await client.get("/api/v1/timelines/public"))
            outbox = await client.get("/users/alice/outbox", headers=ACTIVITY_JSON)
            assert outbox.status_code == 200 and outbox.json()["totalItems"] == 0
            page = await client.get("/public")
            assert page.status_code == 200 and "Grand rounds" not in page.text
            # once her mark has run out, she too reads the replica
            app.state.runtime.replica.clock = lambda: time.time() + app.state.runtime.replica.mark_seconds + 1
            assert post not in ids(await client.get("/api/v1/timelines/home", headers=alice.headers))
        finally:
            standby.query("SELECT pg_wal_replay_resume()")
        await caught_up(primary, standby)
        assert post in ids(await client.get("/api/v1/timelines/public", headers=bob.headers))
        assert post in ids(await client.get("/api/v1/timelines/home", headers=alice.headers))
        assert (await client.get("/users/alice/outbox", headers=ACTIVITY_JSON)).json()["totalItems"] == 1
        assert "Grand rounds" in (await client.get("/public")).text


@needs_postgres
async def test_replica_lagging_beyond_the_limit_is_not_read(replicated, tmp_path):
    """Replay paused for longer than CURBSIDE_DATABASE_REPLICA_MAX_LAG: visitors read the primary's view (a
    new post, then its deletion) rather than an ever older replica."""
    primary, standby = replicated
    async with running_app(replica_settings(tmp_path, primary, standby, max_lag=0.5)) as app, \
            client_of(app) as client:
        erin = await member(app, "erin")
        await open_to_visitors(app)
        await caught_up(primary, standby)
        standby.query("SELECT pg_wal_replay_pause()")
        try:
            post = (await client.post("/api/v1/statuses", headers=erin.headers,
                                      json={"status": "Morbidity conference cancelled", "visibility": "public"})
                    ).json()["id"]
            assert standby.query("SELECT count(*) FROM posts WHERE id = " + str(int(post)), DB) == "0"
            await asyncio.sleep(2.0)  # the lag passes 0.5 s, and the process's last look (1 s) expires
            assert post in ids(await client.get("/api/v1/timelines/public"))
            assert "Morbidity conference" in (await client.get("/public")).text
            assert (await client.get("/users/erin/outbox", headers=ACTIVITY_JSON)).json()["totalItems"] == 1
            assert (await client.delete(f"/api/v1/statuses/{post}", headers=erin.headers)).status_code == 200
            assert post not in ids(await client.get("/api/v1/timelines/public"))
            assert "Morbidity conference" not in (await client.get("/public")).text
        finally:
            standby.query("SELECT pg_wal_replay_resume()")
        await caught_up(primary, standby)
        await asyncio.sleep(1.1)  # past the last look
        assert not await app.state.runtime.replica.lagging()  # caught up (and idle): read again


@needs_postgres
async def test_replica_made_up_credentials_mark_nothing(replicated, tmp_path):
    """Only a credential that proves valid marks the primary's recent_writes: a random token or session cookie
    on a POST writes no row (a valid token's does)."""
    primary, standby = replicated
    async with running_app(replica_settings(tmp_path, primary, standby)) as app, client_of(app) as client:
        fay = await member(app, "fay")

        def marks(caller: str) -> str:
            return primary.query(f"SELECT count(*) FROM recent_writes WHERE caller = '{caller}'", DB)

        made_up = {"Authorization": "Bearer " + secrets.token_hex(16)}
        answer = await client.post("/api/v1/statuses", headers=made_up, json={"status": "x"})
        assert answer.status_code == 401
        assert marks(credential(_scope(made_up))) == "0"
        cookie = {"cookie": f"{SESSION_COOKIE}={secrets.token_hex(16)}"}
        await client.post("/settings/profile", headers=cookie, data={"display_name": "x"})
        assert marks(credential(_scope(cookie))) == "0"
        posted = await client.post("/api/v1/statuses", headers=fay.headers, json={"status": "rounds"})
        assert posted.status_code == 200
        assert marks(credential(_scope(fay.headers))) == "1"


def _scope(headers: dict[str, str]) -> dict:
    return {"headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()], "query_string": b"",
            "client": ("127.0.0.1", 1)}


@needs_postgres
async def test_replica_writes_and_other_reads_stay_on_the_primary(replicated, tmp_path):
    """Through the replica's app every write lands on the primary; a post's own page (not a replica path) and
    the account's own view read the primary even while the replica lags."""
    primary, standby = replicated
    async with running_app(replica_settings(tmp_path, primary, standby)) as app, client_of(app) as client:
        carol, dan = await member(app, "carol"), await member(app, "dan")
        await caught_up(primary, standby)
        standby.query("SELECT pg_wal_replay_pause()")
        try:
            post = (await client.post("/api/v1/statuses", headers=carol.headers,
                                      json={"status": "ward list", "visibility": "public"})).json()["id"]
            assert (await client.get(f"/api/v1/statuses/{post}", headers=dan.headers)).status_code == 200
            favourited = await client.post(f"/api/v1/statuses/{post}/favourite", headers=dan.headers)
            assert favourited.status_code == 200 and favourited.json()["favourited"] is True
        finally:
            standby.query("SELECT pg_wal_replay_resume()")
        assert primary.query(f"SELECT count(*) FROM likes WHERE post_id = {int(post)}", DB) == "1"


def test_replica_credential_is_the_token_else_the_session_cookie():
    token = {"headers": [(b"authorization", b"Bearer abc")], "query_string": b"", "client": ("10.0.0.1", 1)}
    assert credential(token).startswith("token:")
    cookie = {"headers": [(b"cookie", f"a=b; {SESSION_COOKIE}=xyz".encode())], "query_string": b""}
    assert credential(cookie).startswith("session:") and "xyz" not in credential(cookie)
    assert credential({"headers": [], "query_string": b"", "client": ("10.0.0.1", 1)}) is None
    assert SESSION_COOKIE == WEB_SESSION_COOKIE


def test_replica_url_needs_postgresql_on_both_sides(tmp_path):
    base = {"CURBSIDE_DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="DATABASE_REPLICA_URL"):
        load_settings({**base, "CURBSIDE_DATABASE_REPLICA_URL": "postgresql://replica/db"})  # primary: SQLite
    with pytest.raises(SettingsError, match="DATABASE_REPLICA_URL"):
        load_settings({**base, "CURBSIDE_DATABASE_URL": "postgresql://primary/db",
                       "CURBSIDE_DATABASE_REPLICA_URL": "sqlite:///x.db"})
    settings = load_settings({**base, "CURBSIDE_DATABASE_URL": "postgresql://primary/db",
                              "CURBSIDE_DATABASE_REPLICA_URL": "postgres://replica/db"})
    assert settings.database_replica_url == "postgresql+asyncpg://replica/db"
    assert settings.database_replica_max_lag == 5.0
    for bad in ("0", "-1", "soon", "nan"):
        with pytest.raises(SettingsError, match="DATABASE_REPLICA_MAX_LAG"):
            load_settings({**base, "CURBSIDE_DATABASE_REPLICA_MAX_LAG": bad})
    assert load_settings({**base, "CURBSIDE_DATABASE_REPLICA_MAX_LAG": "0.5"}).database_replica_max_lag == 0.5


async def test_replica_marks_that_ran_out_are_pruned_by_the_chore(app):
    async with app.state.sessions() as session:
        session.add_all([RecentWrite(caller="token:old", until=1_000), RecentWrite(caller="token:new", until=2_000)])
        await session.commit()
    async with app.state.sessions() as session:
        assert await replica.prune(session, now=1_500) == 1
        await session.commit()
    async with app.state.sessions() as session:
        assert (await session.execute(select(RecentWrite.caller))).scalars().all() == ["token:new"]
