"""`curbside groups`, run as a real process on both engines: create, list, moderators add/remove; mistakes
are one line with exit code 1 (refused) or 2 (usage)."""
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


def refused(result, code: int = 1) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("curbside: ") and result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr


def test_cli_groups_create_then_list(curbside):
    made = ok(curbside("groups", "create", "heart", "--title", "Heart failure", "--description", "HFrEF",
                       "--specialty", "207RC0000X", "--join", "verified"))
    assert "created group https://curbside.test/groups/heart" in made
    ok(curbside("groups", "create", "staff", "--title", "Staff room", "--members-only"))
    lines = ok(curbside("groups", "list")).splitlines()
    assert lines[1].split()[:5] == ["heart", "verified", "federated", "207RC0000X", "Heart"]
    assert lines[2].split()[:4] == ["staff", "open", "members", "-"]


def test_cli_groups_create_mistakes_are_one_line(curbside):
    ok(curbside("accounts", "create", "alice", "--email", "alice@example.org"))
    assert "taken" in refused(curbside("groups", "create", "alice", "--title", "Alice's"))
    assert "unknown specialty" in refused(curbside("groups", "create", "x", "--title", "X", "--specialty", "NOPE"))
    assert curbside("groups", "create", "x", "--title", "X", "--join", "anyone").returncode == 2  # argparse's usage
    assert curbside("groups", "create", "x").returncode == 2  # --title is required


def test_cli_groups_moderators_add_and_remove(curbside):
    ok(curbside("accounts", "create", "alice", "--email", "alice@example.org"))
    ok(curbside("groups", "create", "heart", "--title", "Heart failure"))
    assert "added moderator @alice of heart" in ok(curbside("groups", "moderators", "add", "heart", "alice"))
    audit = ok(curbside("audit"))
    assert "group_created" in audit and "group_moderator_added" in audit
    ok(curbside("groups", "moderators", "remove", "heart", "@alice"))
    assert "does not moderate" in refused(curbside("groups", "moderators", "remove", "heart", "alice"))
    assert "no group named" in refused(curbside("groups", "moderators", "add", "lungs", "alice"))
    assert "no local member" in refused(curbside("groups", "moderators", "add", "heart", "bob"))
