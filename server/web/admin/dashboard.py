"""/admin: what needs a moderator's attention now, and how federation is doing."""
from __future__ import annotations

from starlette.responses import Response

from server.services.instance.admin_overview import overview
from server.web.admin.common import notice
from server.web.page import Web


async def dashboard(web: Web) -> Response:
    return web.render("admin/dashboard.html", notice=notice(web), o=await overview(web.db))
