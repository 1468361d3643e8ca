"""`curbside backup DEST` and `curbside restore ARCHIVE`: the whole instance as one .tar.gz, and back.

The archive holds `curbside-backup.json` (format, engine, schema revision, domain), the database as one file
(server.db.dump: `database.sqlite3` or `database.pgdump`), the secret key, and under `data/` every other file of
the data directory: media, verification evidence, themes, key files (VAPID...). Actor keys live in the database.
Restoring needs an empty database; it brings the schema up to date and signs everyone out (web sessions,
OAuth tokens and codes are deleted), since an archive may have left the building.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import shutil
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from server.cli.common import CliError, redact, run, say, unreachable
from server.db import dump as db_dump
from server.db.engine import make_engine
from server.settings import Settings

MANIFEST = "curbside-backup.json"
FORMAT = 1
T = TypeVar("T")
SKIPPED_DIRS = {"prometheus"}  # per-process metric files (server.metrics), meaningless elsewhere


def _skipped_files(settings: Settings, dest: Path) -> set[Path]:
    skipped = {dest.resolve(), _partial(dest).resolve(), settings.data_dir / "secret_key"}
    if settings.is_sqlite:
        db = db_dump.sqlite_path(settings.database_url).resolve()
        skipped |= {db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")}
    return skipped


def _data_files(settings: Settings, dest: Path):
    """(path, name in the archive) of every file of the data directory worth keeping."""
    skipped = _skipped_files(settings, dest)
    for folder, dirs, files in os.walk(settings.data_dir):
        dirs[:] = sorted(d for d in dirs if not (folder == str(settings.data_dir) and d in SKIPPED_DIRS))
        for name in sorted(files):
            path = Path(folder, name)
            if path.resolve() not in skipped and path.is_file():
                yield path, "data/" + path.relative_to(settings.data_dir).as_posix()


def _partial(dest: Path) -> Path:
    return dest.with_name(dest.name + ".partial")


async def _revision(settings: Settings) -> str | None:
    from server.db.migrate import current_revision

    engine = make_engine(settings.database_url)
    try:
        return await current_revision(engine)
    except Exception as exc:
        raise unreachable(settings, exc) from exc
    finally:
        await engine.dispose()


def _manifest(settings: Settings, revision: str | None) -> dict:
    return {"format": FORMAT, "engine": db_dump.engine_name(settings.database_url), "schema": revision,
            "domain": settings.domain, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o600) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(datetime.now().timestamp())
    tar.addfile(info, fileobj=io.BytesIO(data))


def backup(settings: Settings, args: argparse.Namespace) -> int:
    dest = Path(args.dest)
    if dest.exists():
        raise CliError(f"{dest} exists: give a new file name")
    revision = asyncio.run(_revision(settings))
    if revision is None:
        raise CliError(f"database {redact(settings.database_url)} has no schema: nothing to back up")
    with tempfile.TemporaryDirectory(prefix="curbside-backup-") as tmp:
        database = Path(tmp, db_dump.dump_file_name(settings.database_url))
        try:
            db_dump.dump(settings.database_url, database)
        except db_dump.DumpError as exc:
            raise CliError(str(exc)) from exc
        try:
            count = _write_archive(settings, dest, database, _manifest(settings, revision))
        except OSError as exc:
            _partial(dest).unlink(missing_ok=True)
            raise CliError(f"cannot write {dest}: {exc.strerror or exc}") from None
    say(f"backed up {redact(settings.database_url)} (schema {revision}) and {count} file(s) of "
        f"{settings.data_dir} to {dest}")
    return 0


def _write_archive(settings: Settings, dest: Path, database: Path, manifest: dict) -> int:
    partial, count = _partial(dest), 0
    with tarfile.open(partial, "w:gz") as tar:
        _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), mode=0o644)
        tar.add(database, arcname=database.name)
        _add_bytes(tar, "secret_key", (settings.secret_key + "\n").encode())
        for path, name in _data_files(settings, dest):
            tar.add(path, arcname=name, recursive=False)
            count += 1
    os.chmod(partial, 0o600)  # it holds every key of the instance
    os.replace(partial, dest)
    return count


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError):
        raise CliError(f"not a curbside backup: no readable {MANIFEST}") from None
    if manifest.get("format") != FORMAT:
        raise CliError(f"backup format {manifest.get('format')!r} is not {FORMAT}: restore it with its own version")
    return manifest


def _check_target(settings: Settings, manifest: dict) -> None:
    engine = db_dump.engine_name(settings.database_url)
    if manifest["engine"] != engine:
        raise CliError(f"the archive holds a {manifest['engine']} database but CURBSIDE_DATABASE_URL is {engine}")
    try:
        tables = asyncio.run(db_dump.table_count(settings.database_url))
    except Exception as exc:
        raise unreachable(settings, exc) from exc
    if tables:
        raise CliError(f"database {redact(settings.database_url)} is not empty ({tables} tables): "
                       "restore needs a new, empty database")


def _open(archive: Path, work: Callable[[tarfile.TarFile], T]) -> T:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return work(tar)
    except (OSError, tarfile.TarError) as exc:
        raise CliError(f"cannot read {archive}: {exc}") from None


def _move_data_files(unpacked: Path, data_dir: Path) -> int:
    """The archive's files over the data directory's (a fresh one has only a new secret key and no media)."""
    moved = 0
    for path in sorted(p for p in (unpacked / "data").rglob("*") if p.is_file()):
        target = data_dir / path.relative_to(unpacked / "data")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        moved += 1
    shutil.move(unpacked / "secret_key", data_dir / "secret_key")
    return moved


async def _sign_everyone_out(runtime) -> None:
    from sqlalchemy import delete

    from server.db.models import OAuthCode, OAuthToken, WebSession

    async with runtime.sessions() as session:
        for model in (WebSession, OAuthToken, OAuthCode):
            await session.execute(delete(model))
        await session.commit()


def restore(settings: Settings, args: argparse.Namespace) -> int:
    archive = Path(args.archive)
    manifest = _open(archive, _read_manifest)
    _check_target(settings, manifest)
    with tempfile.TemporaryDirectory(prefix="curbside-restore-", dir=settings.data_dir) as tmp:
        _open(archive, lambda tar: tar.extractall(tmp, filter="data"))  # no path outside tmp, no device, no link out
        try:
            db_dump.load(settings.database_url, Path(tmp, db_dump.dump_file_name(settings.database_url)))
        except db_dump.DumpError as exc:
            raise CliError(str(exc)) from exc
        count = _move_data_files(Path(tmp), settings.data_dir)
    run(settings, _sign_everyone_out, loud=True)
    say(f"restored {manifest['domain']} (backup of {manifest['created_at']}, schema {manifest['schema']}) and "
        f"{count} file(s) into {settings.data_dir}; every web session and OAuth token was revoked")
    if manifest["domain"] != settings.domain:
        say(f"warning: CURBSIDE_DOMAIN is {settings.domain}, the backup was of {manifest['domain']}: "
            "remote servers know the instance by its domain")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    made = commands.add_parser("backup", help="write the database, keys and media to one .tar.gz archive")
    made.add_argument("dest", help="the archive to write (a new file, e.g. curbside-2026-12-07.tar.gz)")
    made.set_defaults(handler=backup)
    back = commands.add_parser("restore", help="bring back an instance from a backup, into an empty database")
    back.add_argument("archive", help="an archive written by `curbside backup`")
    back.set_defaults(handler=restore)
