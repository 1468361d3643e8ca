"""`curbside worker` as admins run it: refuses an unmigrated database or bad options in one line,
stops cleanly on SIGTERM."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def environ(tmp_path, **env):
    return {**os.environ, "CURBSIDE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
            **{f"CURBSIDE_{k}": v for k, v in env.items()}}


def curbside(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=environ(tmp_path, **env),
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_worker_cli_refuses_unmigrated_database_in_one_line(tmp_path):
    result = curbside(tmp_path, "worker")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "run `curbside migrate`" in result.stderr


def test_worker_cli_refuses_zero_concurrency(tmp_path):
    result = curbside(tmp_path, "worker", "--concurrency", "0")
    assert result.returncode == 1 and "greater than zero" in result.stderr


def test_worker_cli_refuses_unreachable_database_in_one_line(tmp_path):
    result = curbside(tmp_path, "worker", DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unreachable" in result.stderr


def test_worker_cli_stops_on_sigterm(tmp_path):
    assert curbside(tmp_path, "migrate").returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], env=environ(tmp_path),
                               cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        lines = []
        while not any("worker started" in line for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
            lines.append(process.stderr.readline())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "worker stopped" in process.stderr.read()
    finally:
        process.kill()
