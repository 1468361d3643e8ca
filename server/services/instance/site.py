"""The society's branding and public face, set by its admins at run time: title, description, rules,
theme, logo, accent colour, and whether visitors may read the public timelines (off by default: a closed
community shows nothing to visitors). Stored in `instance_settings`; read in one query per page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Actor, InstanceSetting
from server.i18n import N_
from server.runtime import Runtime
from server.services.instance.settings import PUBLIC_TIMELINES, get_value, set_value
from server.services.moderation import audit
from server.services.posts import images, media
from server.settings import Settings

KEYS = ("site_title", "site_description", "rules", "theme", "accent_color", "logo_url", PUBLIC_TIMELINES,
        "privacy_policy")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#0b5cab"
MASTODON_COMPAT = "4.3.0"  # the Mastodon API this server answers as (the instance entity's version, NodeInfo)


@dataclass(frozen=True)
class Site:
    title: str
    description: str
    rules: tuple[str, ...]
    theme: str
    accent_color: str | None  # None: the theme's own
    logo_url: str | None
    public_timelines: bool
    privacy_policy: str  # the admins' text (Markdown-like, as the description); empty: the default one


async def load(session: AsyncSession, settings: Settings) -> Site:
    rows = (await session.execute(select(InstanceSetting).where(InstanceSetting.key.in_(KEYS)))).scalars()
    values = {row.key: row.value for row in rows}
    rules = values.get("rules")
    return Site(
        title=_text(values.get("site_title")) or settings.instance_name,
        description=_text(values.get("site_description")),
        rules=tuple(str(r) for r in rules) if isinstance(rules, list) else (),
        theme=_text(values.get("theme")) or settings.theme,
        accent_color=values["accent_color"] if _HEX.match(str(values.get("accent_color", ""))) else None,
        logo_url=_text(values.get("logo_url")) or None,
        public_timelines=values.get(PUBLIC_TIMELINES) is True,  # as instance_settings.open_to_visitors
        privacy_policy=_text(values.get("privacy_policy")),
    )


async def changed_at(session: AsyncSession, key: str) -> datetime | None:
    """When the admins last set `key` (None: never)."""
    return await session.scalar(select(InstanceSetting.updated_at).where(InstanceSetting.key == key))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_accent(color: str) -> str:
    """An accent colour must be #rrggbb and readable as white text on it and as links on white (WCAG AA)."""
    color = (color or "").strip()
    if not _HEX.match(color):
        raise ServiceError(N_("the accent colour must look like #0b5cab"))
    ratio = contrast(color, "#ffffff")
    if ratio < 4.5:
        raise ServiceError(N_("the accent colour %(color)s is too light: contrast with white is %(ratio)s:1, WCAG AA "
                              "needs %(needed)s:1"), values={"color": color, "ratio": round(ratio, 1), "needed": 4.5})
    return color.lower()


async def update(session: AsyncSession, available_themes: list[str], *, actor: Actor | None = None,
                 by: str | None = None, **changes: object) -> list[str]:
    """Change some of the site settings; ServiceError names the first wrong value and nothing is changed.
    What changed goes to the audit log (by `actor`, or `by` for a non-member); returns the keys changed."""
    checked: dict[str, object] = {}
    for key, value in changes.items():
        if key == "site_title":
            text = _text(value)
            if not 1 <= len(text) <= 80:
                raise ServiceError(N_("the title must be 1 to 80 characters"))
            checked[key] = text
        elif key == "site_description":
            checked[key] = _limited(value, 2000, N_("the description must be at most %(limit)s characters"))
        elif key == "privacy_policy":
            checked[key] = _limited(value, 50_000, N_("the privacy policy must be at most %(limit)s characters"))
        elif key == "rules":
            rules = [r.strip() for r in (value if isinstance(value, list) else str(value).splitlines()) if r.strip()]
            if len(rules) > 50 or any(len(r) > 500 for r in rules):
                raise ServiceError(N_("at most 50 rules of at most 500 characters each"))
            checked[key] = rules
        elif key == "theme":
            if value not in available_themes:
                raise ServiceError(N_("unknown theme %(value)s; installed: %(themes)s"),
                                   values={"value": repr(value), "themes": ", ".join(available_themes)})
            checked[key] = value
        elif key == "accent_color":
            checked[key] = check_accent(str(value)) if value else None  # none: the theme's own colour
        elif key == "logo_url":
            checked[key] = _text(value) or None
        elif key == "public_timelines":
            checked[key] = bool(value)
        else:
            raise ServiceError(N_("unknown site setting %(key)s"), values={"key": repr(key)})
    changed: dict[str, dict] = {}
    for key, value in checked.items():
        before = await get_value(session, key)
        if before != value and not (before is None and not value):  # unset already means off / empty
            changed[key] = {"before": before, "after": value}
            await set_value(session, key, value)
    if changed:
        await audit.record(session, actor, "site.update", "instance", ", ".join(changed), "", changed, by=by)
    return list(changed)


async def store_logo(runtime: Runtime, data: bytes) -> str:
    """Clean an uploaded logo (any metadata stripped, fitted to a header) into the media folder; its URL."""
    try:
        encoded = await anyio.to_thread.run_sync(images.process_logo, data)
    except ServiceError as exc:
        raise ServiceError(N_("the logo: %(problem)s"), values={"problem": exc}) from None
    key = await media.store_file(runtime, encoded.data, encoded.extension)
    return media.file_url(runtime, key, encoded.extension)


def _limited(value: object, limit: int, refusal: str) -> str:
    """The text, or `refusal` (a msgid taking %(limit)s) when it is longer than `limit`."""
    text = _text(value)
    if len(text) > limit:
        raise ServiceError(refusal, values={"limit": limit})
    return text
