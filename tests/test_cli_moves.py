"""`curbside accounts alias` and `accounts move`, run as a real process on both engines: an admin lists an
alias for a member, moves her to an account that lists her, and a move to one that does not is refused in one
line."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def curbside(tmp_path, database_url):
    def run(*args: str):
        env = {**os.environ, "CURBSIDE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
               "CURBSIDE_DATABASE_URL": database_url, "CURBSIDE_DOMAIN": "curbside.test"}
        return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, capture_output=True, text=True,
                              timeout=60, cwd=ROOT)
    return run


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_accounts_alias_and_move(curbside):
    for name in ("carol", "dana"):
        ok(curbside("accounts", "create", name, "--email", f"{name}@example.org"))
    refused = curbside("accounts", "move", "carol", "dana@curbside.test")
    assert refused.returncode == 1 and "does not list this account" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0
    assert "lists https://curbside.test/users/carol" in ok(curbside("accounts", "alias", "dana", "carol"))
    assert "moved to https://curbside.test/users/dana" in ok(curbside("accounts", "move", "carol", "dana"))
    assert "already" in curbside("accounts", "move", "carol", "dana").stderr
    assert "no longer lists" in ok(curbside("accounts", "alias", "dana", "carol", "--remove"))
    audit = ok(curbside("audit"))
    assert "account.alias" in audit and "account.move" in audit and "account.unalias" in audit
