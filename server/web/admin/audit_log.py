"""/admin/audit: the append-only logs, newest first and paged: moderation and administration (filterable
by action), and the verification workflow's own log (?log=verification)."""
from __future__ import annotations

from starlette.responses import Response

from server.services.moderation import audit
from server.services.verification.audit import ACTIONS, audit_entries
from server.web.admin.common import notice, older_link, query_id
from server.web.page import Web

LIMIT = 50


async def audit_page(web: Web) -> Response:
    query = web.request.query_params
    if query.get("log") == "verification":
        entries = await audit_entries(web.db, max_id=query_id(web), limit=LIMIT)
        return web.render("admin/audit.html", notice=notice(web), log="verification", entries=entries,
                          older=older_link(web, entries, LIMIT), actions=ACTIONS, action="")
    used = await audit.actions_used(web.db)
    action = query.get("action") if query.get("action") in used else ""
    entries = await audit.entries(web.db, action=action or None, max_id=query_id(web), limit=LIMIT)
    return web.render("admin/audit.html", notice=notice(web), log="moderation", entries=entries, actions=used,
                      action=action, older=older_link(web, entries, LIMIT))
