"""The `curbside` command, run as a real process the way admins and scripts run it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def curbside(tmp_path, *args, input=None, **env):
    environ = {**os.environ, "CURBSIDE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
               **{f"CURBSIDE_{k}": v for k, v in env.items()}}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=environ, input=input,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_cli_bogus_database_url_exits_2_with_one_line_naming_it(tmp_path):
    result = curbside(tmp_path, "serve", DATABASE_URL="bogus://x")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("curbside: CURBSIDE_DATABASE_URL: ")


def test_cli_unreachable_database_is_one_line_exit_1(tmp_path):
    result = curbside(tmp_path, "check", DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unreachable" in result.stderr


@pytest.mark.parametrize("command", [["migrate"], ["worker"], ["accounts", "list"], ["tokens", "create", "x"],
                                     ["invites", "list"], ["verifiers", "list"], ["domains", "list"], ["audit"],
                                     ["held", "list"], ["groups", "list"], ["backup", "x.tar.gz"]])
def test_cli_every_command_group_says_an_unreachable_database_in_one_line_exit_1(tmp_path, command):
    result = curbside(tmp_path, *command, DATABASE_URL="postgresql+asyncpg://nobody:secret@127.0.0.1:1/none")
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "unreachable" in result.stderr, result.stderr
    assert result.stderr.startswith("curbside: database postgresql+asyncpg://***@127.0.0.1:1/none ")


def test_cli_migrate_shows_progress_then_check_passes(tmp_path):
    first = curbside(tmp_path, "migrate")
    assert first.returncode == 0 and "applying migration 0001" in first.stdout
    again = curbside(tmp_path, "migrate")
    assert "0 migration(s) applied" in again.stdout
    check = curbside(tmp_path, "check")
    assert check.returncode == 0 and "schema: up to date" in check.stdout


def test_cli_accounts_create_and_list(tmp_path):
    made = curbside(tmp_path, "accounts", "create", "drhouse", "--email", "house@example.org",
                    "--password-stdin", "--role", "admin", input="vicodin-and-puzzles\n")
    assert made.returncode == 0, made.stderr
    assert "created admin @drhouse@localhost:8000" in made.stdout and "password:" not in made.stdout
    generated = curbside(tmp_path, "accounts", "create", "wilson", "--email", "wilson@example.org")
    assert "password: " in generated.stdout
    listing = curbside(tmp_path, "accounts", "list").stdout
    assert "drhouse" in listing and "admin" in listing and "wilson@example.org" in listing


def test_cli_accounts_create_mistakes_are_one_line(tmp_path):
    curbside(tmp_path, "accounts", "create", "taken", "--email", "t@example.org")
    for args, input, expected in [
        (["taken", "--email", "other@example.org"], None, "username 'taken' is taken"),
        (["short", "--email", "s@example.org", "--password-stdin"], "abc\n", "at least 10 characters"),
        (["bad name", "--email", "b@example.org"], None, "username must be"),
    ]:
        result = curbside(tmp_path, "accounts", "create", *args, input=input)
        assert result.returncode == 1 and result.stderr.startswith("curbside: ") and expected in result.stderr
        assert result.stderr.strip().count("\n") == 0


def test_cli_unknown_role_is_a_usage_error(tmp_path):
    result = curbside(tmp_path, "accounts", "create", "x", "--email", "x@example.org", "--role", "owner")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_cli_tokens_create_prints_a_working_token(tmp_path):
    curbside(tmp_path, "accounts", "create", "bot", "--email", "bot@example.org")
    result = curbside(tmp_path, "tokens", "create", "bot", "--scopes", "read", "write:statuses")
    assert result.returncode == 0 and len(result.stdout.strip()) >= 40
    missing = curbside(tmp_path, "tokens", "create", "ghost")
    assert missing.returncode == 1 and missing.stderr.strip() == "curbside: no local account named 'ghost'"
    bad = curbside(tmp_path, "tokens", "create", "bot", "--scopes", "root")
    assert bad.returncode == 1 and "unknown scope 'root'" in bad.stderr


def test_cli_serve_refuses_a_negative_number_of_queue_workers(tmp_path):
    result = curbside(tmp_path, "serve", "--queue-workers", "-1")
    assert result.returncode == 1 and "--queue-workers must be 0 or more" in result.stderr


def test_cli_check_says_in_one_line_whether_image_text_is_read(tmp_path, monkeypatch):
    assert curbside(tmp_path, "migrate").returncode == 0
    assert "image text: read by Tesseract" in curbside(tmp_path, "check").stdout
    from moderation.phi import ocr
    from server.cli.database import _image_text_line
    monkeypatch.setattr(ocr, "tessdata_dir", lambda: None)
    line = _image_text_line()
    assert "\n" not in line and "NOT read" in line and "unchecked" in line and "tesseract-ocr-eng" in line
