"""/admin/settings (admins only): the society's branding (title, description, rules, privacy policy, theme,
accent colour, logo, public timelines) through server.services.instance.site, and who may join (registration mode,
how long a verification lasts, how long evidence is kept) through server.services.instance.settings. Both audit."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.i18n import N_
from server.services.instance import settings as instance_settings
from server.services.instance import site
from server.settings import REGISTRATION_MODES
from server.web.admin.common import checked, done, notice, roll_back
from server.web.forms import sentence
from server.web.page import Web

MAX_LOGO_BYTES = 2_000_000


async def _page(web: Web, *, status: int = 200, error: str | None = None, joining_error: str | None = None,
                form: dict | None = None) -> Response:
    settings = web.settings
    return web.render(
        "admin/settings.html", status=status, notice=notice(web), error=error, joining_error=joining_error,
        form=form, themes=web.request.app.state.themes.available(), modes=REGISTRATION_MODES,
        mode=await instance_settings.registration_mode(web.db, settings),
        valid_days=await instance_settings.verification_valid_days(web.db, settings),
        retention_days=await instance_settings.evidence_retention_days(web.db, settings),
        phi_policy=settings.phi_policy, default_accent=site.DEFAULT_ACCENT)


async def show(web: Web) -> Response:
    return await _page(web)


async def _logo(web: Web) -> str | None:
    """The URL of a newly uploaded logo, "" to remove the logo, None to keep it."""
    if checked(web, "remove_logo"):
        return ""
    upload = web.form.get("logo")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return None
    data = await upload.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise ServiceError(N_("the logo must be at most %(limit)s MB"), values={"limit": MAX_LOGO_BYTES // 1_000_000})
    return await site.store_logo(web.runtime, data)


async def save_site(web: Web) -> Response:
    changes = {"site_title": web.value("title"), "site_description": web.value("description"),
               "rules": web.value("rules"), "privacy_policy": web.value("privacy_policy"), "theme": web.value("theme"),
               "accent_color": web.value("accent_color") if web.value("accent_choice") == "custom" else None,
               "public_timelines": checked(web, "public_timelines")}
    themes = web.request.app.state.themes.available()
    try:
        changed = await site.update(web.db, themes, actor=web.viewer.actor, **changes)
        logo = await _logo(web)  # after the other values passed: a refused form leaves no file behind
        if logo is not None:
            changed += await site.update(web.db, themes, actor=web.viewer.actor, logo_url=logo)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc), form=dict(web.form))
    await web.db.commit()
    return done(web, "/admin/settings", "site_saved" if changed else "unchanged")


def _days(web: Web, name: str) -> int | str:
    raw = web.value(name).strip()
    return int(raw) if raw.isdigit() and len(raw) < 7 else raw


async def save_joining(web: Web) -> Response:
    try:
        changed = await instance_settings.change(web.db, web.settings, {
            "registration_mode": web.value("registration_mode"),
            "verification_valid_days": _days(web, "verification_valid_days"),
            "evidence_retention_days": _days(web, "evidence_retention_days")}, actor=web.viewer.actor)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, joining_error=sentence(exc))
    await web.db.commit()
    return done(web, "/admin/settings#joining", "joining_saved" if changed else "unchanged")
