"""Jinja templates from the active theme, falling back to the default theme for what it does not override."""
from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates

THEMES = Path(__file__).resolve().parents[2] / "themes"


def theme_dirs(theme: str) -> list[Path]:
    dirs = [THEMES / theme / "templates"] if theme != "default" else []
    return [d for d in dirs if d.is_dir()] + [THEMES / "default" / "templates"]


def make_templates(theme: str) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in theme_dirs(theme)]),
                             autoescape=True)
    return Jinja2Templates(env=env)
