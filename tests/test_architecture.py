"""The dependency rule server -> moderation -> federation, checked by import-linter."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_architecture_dependency_rule_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_architecture_map_names_only_modules_that_exist():
    """Every module or folder ARCHITECTURE.md names in backticks (`x.py`, `x/`) is a path of the project."""
    paths = {str(p.relative_to(ROOT)) + ("/" if p.is_dir() else "") for p in ROOT.rglob("*")
             if ".venv" not in p.parts and ".git" not in p.parts}
    named = re.findall(r"`([\w./]+(?:\.py|/))`", (ROOT / "ARCHITECTURE.md").read_text())
    missing = [name for name in named if not any(p == name or p.endswith("/" + name) for p in paths)]
    assert named and not missing, missing
