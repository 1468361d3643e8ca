"""The database as one file, and back: SQLite through its online backup API (a consistent copy while the server
writes), PostgreSQL through `pg_dump --format=custom` and `pg_restore` found on PATH. For `curbside backup` and
`curbside restore`."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.db.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine


class DumpError(Exception):
    """The database could not be dumped or loaded; str() is one line saying why."""


def engine_name(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def dump_file_name(database_url: str) -> str:
    return "database.sqlite3" if engine_name(database_url) == "sqlite" else "database.pgdump"


def sqlite_path(database_url: str) -> Path:
    return Path(make_url(database_url).database)


def dump(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target`."""
    if engine_name(database_url) == "sqlite":
        _sqlite_copy(sqlite_path(database_url), target)
    else:
        _pg_tool("pg_dump", database_url, "--format=custom", "--no-owner", f"--file={target}")


def load(database_url: str, source: Path) -> None:
    """Load a copy written by `dump` into the (empty) database."""
    if engine_name(database_url) == "sqlite":
        path = sqlite_path(database_url)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        _sqlite_copy(source, path)
    else:
        _pg_tool("pg_restore", database_url, "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", f"--dbname={make_url(database_url).database}", str(source))


async def table_count(database_url: str) -> int:
    """How many tables the database has (0: a new, empty database)."""
    query = ("SELECT count(*) FROM sqlite_master WHERE type = 'table'" if engine_name(database_url) == "sqlite"
             else "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(query))).scalar_one()
    finally:
        await engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one snapshot, however busy the source
    except sqlite3.Error as exc:
        raise DumpError(f"SQLite backup of {source} failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _pg_tool(tool: str, database_url: str, *args: str) -> None:
    found = shutil.which(tool)
    if found is None:
        raise DumpError(f"{tool} not found on PATH: install the PostgreSQL client tools "
                        "(the same major version as the server, or newer)")
    result = subprocess.run([found, *args], env=_libpq_env(database_url), capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise DumpError(f"{tool} failed: {lines[0] if lines else f'exit {result.returncode}'}")


def _libpq_env(database_url: str) -> dict[str, str]:
    """The connection for libpq tools in their environment, so the password never shows on a command line."""
    url = make_url(database_url)
    given = {"PGHOST": url.host, "PGPORT": url.port and str(url.port), "PGUSER": url.username,
             "PGPASSWORD": url.password, "PGDATABASE": url.database, "PGSSLMODE": url.query.get("ssl")}
    return {**os.environ, **{name: value for name, value in given.items() if value}}
