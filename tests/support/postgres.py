"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a free loopback port."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """Runs as the `postgres` system user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="curbside-pg-"))
        self.datadir = self.root / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run(self.as_user + list(args), check=True, capture_output=True, text=True, cwd=self.root)

    def start(self) -> None:
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-w", "-l",
                  str(self.root / "log"), "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run([str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)

    def query(self, sql: str, database: str = "postgres") -> str:
        """One value, as psql prints it unaligned."""
        result = subprocess.run([str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                 "-d", database, "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                                check=True, capture_output=True, text=True)
        return result.stdout.strip()


class StandbyCluster(PostgresCluster):
    """A streaming replica of `primary`: `pg_basebackup -R` of its data directory (which writes the standby
    signal and the primary's connection string), started as a hot standby on a port of its own."""

    def __init__(self, primary: PostgresCluster):
        super().__init__(primary.bindir)
        self.primary = primary

    def start(self) -> None:
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary.port), "-U",
                  "postgres", "-D", str(self.datadir), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        # max_connections at least the primary's (a hot standby refuses to start below it); queries on the
        # standby are never cancelled for replay (tests pause and resume it)
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=300 -c hot_standby=on -c max_standby_streaming_delay=-1")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-w", "-l",
                  str(self.root / "log"), "start")

