"""/admin/announcements (admins only): announce something to every member (shown in their apps), and delete an
announcement. server.services.instance.announcements makes, streams and audits each change."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.i18n import N_
from server.services.instance import announcements
from server.web.admin.common import done, not_found, notice, path_id, roll_back
from server.web.forms import sentence
from server.web.page import Web


async def _page(web: Web, *, status: int = 200, error: str | None = None, form: dict | None = None) -> Response:
    return web.render("admin/announcements.html", status=status, notice=notice(web), error=error, form=form or {},
                      announcements=await announcements.every(web.db), max_text=announcements.MAX_TEXT)


async def index(web: Web) -> Response:
    return await _page(web)


async def create(web: Web) -> Response:
    try:
        starts_at = announcements.parse_when(web.value("starts_at"),
                                             N_("the start must be a date and time such as 2026-12-24T09:00"))
        ends_at = announcements.parse_when(web.value("ends_at"),
                                           N_("the end must be a date and time such as 2026-12-24T09:00"))
        await announcements.create(web.db, web.value("text"), actor=web.viewer.actor, starts_at=starts_at,
                                   ends_at=ends_at)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc),
                           form=dict(web.form))
    await web.db.commit()
    return done(web, "/admin/announcements", "announced")


async def delete(web: Web) -> Response:
    announcement_id = path_id(web)
    if announcement_id is None:
        return not_found(web, N_("There is no such announcement."))
    await announcements.remove(web.db, announcement_id, actor=web.viewer.actor)
    await web.db.commit()
    return done(web, "/admin/announcements", "announcement_deleted")
