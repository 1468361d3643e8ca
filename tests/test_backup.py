"""`curbside backup` and `curbside restore` as real processes, on both engines: an instance backed up while its app
runs comes back in an empty database and data directory with the same posts, keys and files, and nobody signed in."""
import dataclasses
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from server.db.models import Actor
from server.settings import load_settings
from tests.conftest import PG_BINDIR
from tests.support.api import status
from tests.support.apps import client_of, running_app

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def curbside(settings, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURBSIDE_DATA_DIR": str(settings.data_dir),
           "CURBSIDE_DATABASE_URL": settings.database_url, "CURBSIDE_DOMAIN": settings.domain,
           "PATH": path if path is not None else f"{PG_BINDIR}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


@pytest.fixture
def fresh(request, settings, tmp_path):
    """Settings of a new instance of the same domain: an empty data directory and a database with no tables."""
    if settings.is_sqlite:
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh-db' / 'curbside.db'}"
        (tmp_path / "fresh-db").mkdir()
    else:
        cluster = request.getfixturevalue("pg_databases").cluster
        name = f"restored_{uuid.uuid4().hex[:12]}"
        cluster.psql(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    return load_settings({"CURBSIDE_DATA_DIR": str(tmp_path / "fresh"), "CURBSIDE_DATABASE_URL": url,
                          "CURBSIDE_DOMAIN": settings.domain, "CURBSIDE_INPROCESS_WORKER": "false"})


async def public_key(app, username: str) -> tuple[str, str]:
    async with app.state.sessions() as session:
        actor = (await session.execute(select(Actor).where(Actor.username == username, Actor.local))).scalar_one()
        return actor.public_key_pem, actor.private_key_pem


async def test_backup_restore_brings_back_posts_keys_and_files_with_everyone_signed_out(app, client, settings, alice,
                                                                                      fresh, tmp_path):
    post = await status(client, alice, "Grand rounds: anticoagulation in the elderly")
    keys = await public_key(app, "alice")
    (settings.media_dir / "ab").mkdir()
    (settings.media_dir / "ab" / "cd.png").write_bytes(b"\x89PNG not really")
    (settings.data_dir / "vapid_private.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    archive = tmp_path / "backup.tar.gz"

    made = curbside(settings, "backup", str(archive))  # while the app above holds the database open
    assert made.returncode == 0, made.stderr
    restored = curbside(fresh, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "revoked" in restored.stdout

    assert (fresh.data_dir / "media" / "ab" / "cd.png").read_bytes() == b"\x89PNG not really"
    assert (fresh.data_dir / "vapid_private.pem").read_text() == "-----BEGIN PRIVATE KEY-----\n"
    assert (fresh.data_dir / "secret_key").read_text().strip() == settings.secret_key
    again = load_settings({"CURBSIDE_DATA_DIR": str(fresh.data_dir), "CURBSIDE_DATABASE_URL": fresh.database_url,
                           "CURBSIDE_DOMAIN": settings.domain})
    async with running_app(dataclasses.replace(again, inprocess_worker=False)) as back:
        assert await public_key(back, "alice") == keys
        async with client_of(back) as c:
            assert (await c.get(f"/api/v1/statuses/{post['id']}")).json()["content"] == post["content"]
            signed_out = await c.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
            assert signed_out.status_code == 401


async def test_restore_refuses_a_database_that_is_not_empty_in_one_line(app, settings, alice, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert curbside(settings, "backup", str(archive)).returncode == 0
    refused = curbside(settings, "restore", str(archive))
    assert refused.returncode == 1
    assert refused.stderr.startswith("curbside: database ") and "is not empty" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0


async def test_backup_refuses_to_overwrite_or_write_nowhere_in_one_line(app, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    archive.write_bytes(b"precious")
    refused = curbside(settings, "backup", str(archive))
    assert refused.returncode == 1 and "exists" in refused.stderr and archive.read_bytes() == b"precious"
    nowhere = curbside(settings, "backup", str(tmp_path / "no" / "such" / "backup.tar.gz"))
    assert nowhere.returncode == 1 and nowhere.stderr.startswith("curbside: cannot write ")
    assert nowhere.stderr.strip().count("\n") == 0


async def test_backup_without_pg_dump_is_one_clear_line(app, settings, tmp_path):
    if settings.is_sqlite:
        pytest.skip("pg_dump is for PostgreSQL")
    refused = curbside(settings, "backup", str(tmp_path / "backup.tar.gz"), path=str(tmp_path))
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("curbside: pg_dump not found on PATH: install the PostgreSQL client tools "
                                      "(the same major version as the server, or newer)")
    assert not (tmp_path / "backup.tar.gz").exists()


async def test_restore_of_something_else_is_one_line(settings, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    refused = curbside(settings, "restore", str(bogus))
    assert refused.returncode == 1 and refused.stderr.startswith("curbside: cannot read ")


def test_backup_of_a_database_without_schema_is_refused(tmp_path):
    empty = load_settings({"CURBSIDE_DATA_DIR": str(tmp_path / "data"), "CURBSIDE_DOMAIN": "curbside.test"})
    refused = curbside(empty, "backup", str(tmp_path / "backup.tar.gz"))
    assert refused.returncode == 1 and "has no schema: nothing to back up" in refused.stderr
    assert not (tmp_path / "backup.tar.gz").exists()
