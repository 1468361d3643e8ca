"""Themes: a folder with `templates/` and `static/`, each overriding only what it changes; anything a
theme lacks comes from `default`. Shipped themes live in the `themes/` package; a society adds its own
under `<data dir>/themes/<name>/` (a same-named folder there wins over a shipped one). A theme's template
may extend the default theme's template of the same name as "@default/<name>"."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2

from server import i18n

SHIPPED = Path(__file__).resolve().parents[2] / "themes"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")




class Themes:
    def __init__(self, data_dir: Path):
        self.roots = [data_dir / "themes", SHIPPED]
        self._environments: dict[str, jinja2.Environment] = {}

    def available(self) -> list[str]:
        names = {p.name for root in self.roots if root.is_dir() for p in root.iterdir()
                 if p.is_dir() and _NAME.match(p.name) and ((p / "templates").is_dir() or (p / "static").is_dir())}
        return sorted(names | {"default"})

    def _folders(self, theme: str, kind: str) -> list[Path]:
        """Where to look for a theme's `kind` (templates or static), the theme's own first."""
        chain = [theme, "default"] if theme != "default" and _NAME.match(theme) else ["default"]
        return [root / name / kind for name in chain for root in self.roots if (root / name / kind).is_dir()]

    def environment(self, theme: str) -> jinja2.Environment:
        env = self._environments.get(theme)
        if env is None:
            # "@default/x.html" is always the default theme's own x.html: a theme's x.html may extend it.
            default = jinja2.FileSystemLoader([str(d) for d in self._folders("default", "templates")])
            loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(d) for d in self._folders(theme, "templates")]),
                                          jinja2.PrefixLoader({"@default": default})])
            env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                     extensions=["jinja2.ext.i18n"])
            _localise(env)
            self._environments[theme] = env
        return env

    def static_file(self, theme: str, path: str) -> Path | None:
        """The file a theme serves at /static/<path>, or None: never outside the theme folders."""
        if not path or path.startswith("/") or "\\" in path or any(part in ("", ".", "..") for part in path.split("/")):
            return None
        for folder in self._folders(theme, "static"):
            candidate = folder / path
            if candidate.is_file():
                return candidate
        return None


def _localise(env: jinja2.Environment) -> None:
    """gettext, dates and numbers in the locale of the moment (server.i18n's context variable): one
    environment per theme serves every language."""
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext)
    env.filters.update(format_date=i18n.format_date, format_datetime=i18n.format_datetime,
                       format_number=i18n.format_number)
    env.globals.update(current_locale=i18n.current_locale, text_direction=i18n.text_direction)
