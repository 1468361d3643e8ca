"""`curbside domains`, `curbside blocklists` and `curbside audit`, run as real processes: one-line
errors with exit codes, dry-run imports, all-or-nothing imports with the line number, and an
export imported into a fresh instance giving the same policies."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


def curbside(data_dir: Path, *args: str, database_url: str | None = None, input: str | None = None):
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    if database_url:
        env["CURBSIDE_DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "server.cli", *args], env=env, input=input, capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result, code: int = 1) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("curbside: ") and result.stderr.strip().count("\n") == 0, result.stderr
    return result.stderr


def test_domains_commands_set_list_and_remove_policies(tmp_path):
    ok(curbside(tmp_path, "domains", "block", "*.Spam.example", "--public-comment", "spam", "--reject-reports"))
    ok(curbside(tmp_path, "domains", "limit", "loud.example", "--reject-media", "--obfuscate"))
    ok(curbside(tmp_path, "domains", "allow", "friends.example"))
    listing = ok(curbside(tmp_path, "domains", "list"))
    assert "federation mode: blocklist" in listing
    lines = {line.split()[1]: line.split()[2:] for line in listing.splitlines()[2:]}
    assert lines == {"spam.example": ["suspend", "reject_reports", "local"],
                     "loud.example": ["limit", "reject_media,obfuscate", "local"],
                     "friends.example": ["allow", "-", "local"]}
    assert "removed" in ok(curbside(tmp_path, "domains", "remove", "spam.example"))
    assert "spam.example" not in ok(curbside(tmp_path, "domains", "list"))
    assert "allowlist" in ok(curbside(tmp_path, "domains", "mode", "allowlist"))
    audit = ok(curbside(tmp_path, "audit"))
    assert ["federation.mode", "domain.remove", "domain.allow", "domain.limit", "domain.suspend"] == \
        [line.split()[3] for line in audit.splitlines()]


def test_domains_mistakes_are_one_line_with_exit_codes(tmp_path):
    assert "a URL, not a domain" in refused(curbside(tmp_path, "domains", "block", "https://spam.example/"))
    assert "no local policy on nothing.example" in refused(curbside(tmp_path, "domains", "remove", "nothing.example"))
    usage = curbside(tmp_path, "domains", "mode", "closed")
    assert usage.returncode == 2 and "invalid choice: 'closed'" in usage.stderr
    assert "only https allowed" in refused(curbside(tmp_path, "blocklists", "subscribe", "http://lists.example/l.csv"))
    assert "cannot read" in refused(curbside(tmp_path, "blocklists", "import", str(tmp_path / "missing.csv")))


def test_import_dry_run_changes_nothing_and_a_malformed_list_is_refused_whole(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
                    "one.example,suspend,false,false,bad actors,false\ntwo.example,silence,true,false,,false\n")
    preview = ok(curbside(tmp_path, "blocklists", "import", str(good), "--dry-run"))
    assert preview.splitlines()[:3] == ["2 to add, 0 to change, 0 to remove, 0 unchanged",
                                        '+ one.example  suspend "bad actors"', "+ two.example  limit reject_media"]
    assert "one.example" not in ok(curbside(tmp_path, "domains", "list"))
    bad = tmp_path / "bad.txt"
    bad.write_text("three.example\nfour.example\n# a comment\nfive..example\n")
    error = refused(curbside(tmp_path, "blocklists", "import", str(bad)))
    assert "line 4" in error and "nothing imported" in error
    assert "three.example" not in ok(curbside(tmp_path, "domains", "list"))
    ok(curbside(tmp_path, "blocklists", "import", "-", input=good.read_text()))
    assert "one.example" in ok(curbside(tmp_path, "domains", "list"))


def test_export_imported_into_a_fresh_instance_gives_the_same_policies(tmp_path, database_url):
    a, b = tmp_path / "a", tmp_path / "b"
    ok(curbside(a, "domains", "block", "spam.example", "--public-comment", "spam, lots", "--private-comment", "why",
                "--reject-media", database_url=database_url))
    ok(curbside(a, "domains", "limit", "loud.example", "--obfuscate", "--reject-reports", database_url=database_url))
    ok(curbside(a, "domains", "block", "xn--bcher-kva.example", database_url=database_url))
    exported = ok(curbside(a, "blocklists", "export", "--format", "csv", database_url=database_url))
    path = tmp_path / "export.csv"
    path.write_text(exported)
    ok(curbside(b, "blocklists", "import", str(path)))
    assert ok(curbside(b, "blocklists", "export", "--format", "csv")) == exported
    assert exported.count("\n") == 4 and "spam.example,suspend,true,false,\"spam, lots\",false,why" in exported
    plain = ok(curbside(a, "blocklists", "export", "--format", "plain", "--public", database_url=database_url))
    assert plain.split() == ["spam.example", "xn--bcher-kva.example"]  # obfuscated entries stay unpublished


def test_refresh_of_an_unreachable_list_fails_with_exit_1_and_keeps_nothing_half_done(tmp_path):
    env_dir = tmp_path
    port_file = "http://127.0.0.1:9/list.csv"  # discard port: nothing listens
    environ = {"CURBSIDE_ALLOW_HTTP": "true", "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true"}
    os.environ.update(environ)
    try:
        ok(curbside(env_dir, "blocklists", "subscribe", port_file, "--priority", "3", "--drafts"))
        result = curbside(env_dir, "blocklists", "refresh")
        assert result.returncode == 1 and "FAILED" in result.stdout
        assert result.stderr.strip().splitlines()[-1] == "curbside: 1 of 1 lists failed; their last good state is kept"
        listing = ok(curbside(env_dir, "blocklists", "list"))
        assert "priority 3" in listing and "drafts" in listing and "FAILING since" in listing
    finally:
        for key in environ:
            os.environ.pop(key)
