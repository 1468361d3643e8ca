"""/admin/blocklists: subscribed shared lists (subscribe by URL with a priority, as drafts or applied
directly; refresh now; unsubscribe), each list's last fetch and an alert while it fails, the drafts
waiting for approval, and who may read the list this instance publishes. All through
server.services.moderation.subscriptions and .publish, which audit every change."""
from __future__ import annotations

import re

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import BlocklistSubscription
from server.i18n import N_
from server.services.moderation import domains, publish, subscriptions
from server.web.admin.common import checked, done, not_found, notice, number, path_id, roll_back
from server.web.forms import sentence
from server.web.page import Web

REFRESH_WAIT = 10.0  # seconds to wait for a list a worker is fetching at that moment


async def _page(web: Web, *, status: int = 200, error: str | None = None, form: dict | None = None) -> Response:
    subs = await subscriptions.list_subscriptions(web.db)
    visibility, trusted = await publish.read_visibility(web.db)
    return web.render("admin/blocklists.html", status=status, notice=notice(web), error=error, form=form or {},
                      subs=subs, sources={s.id: s.url for s in subs},
                      drafts=await domains.list_records(web.db, state="draft"),
                      visibility=visibility, trusted=trusted, visibilities=publish.VISIBILITIES,
                      published_url=f"{web.settings.base_url}/api/v1/instance/domain_blocks")


async def index(web: Web) -> Response:
    return await _page(web)


async def subscribe(web: Web) -> Response:
    try:
        priority = number(web, "priority", N_("The priority must be a number from %(low)s to %(high)s"),
                          low=-1000, high=1000)
        row = await subscriptions.subscribe(web.db, web.value("url"), priority=int(priority or 0),
                                            as_drafts=checked(web, "drafts"), allow=checked(web, "allowlist"),
                                            allow_http=web.settings.allow_http, actor=web.viewer.actor)
    except (ValueError, ServiceError) as exc:
        return await _page(web, status=422, error=sentence(exc), form=dict(web.form))
    await web.db.commit()
    return done(web, f"/admin/blocklists#sub-{row.id}", "subscribed")


async def refresh(web: Web) -> Response:
    """Fetch every list now (waiting briefly for one a worker holds), then show how each went."""
    await subscriptions.refresh_all(web.runtime, force=True, wait=REFRESH_WAIT, actor=web.viewer.actor)
    return done(web, "/admin/blocklists", "refreshed")


async def unsubscribe(web: Web) -> Response:
    sub_id = path_id(web)
    row = await web.db.get(BlocklistSubscription, sub_id) if sub_id else None
    if row is None:
        return not_found(web, N_("There is no such subscription."))
    await subscriptions.unsubscribe(web.db, row.url, actor=web.viewer.actor)
    await web.db.commit()
    return done(web, "/admin/blocklists", "unsubscribed")


def draft_decision(approve: bool):
    async def handler(web: Web) -> Response:
        try:
            await subscriptions.decide_draft(web.db, path_id(web) or 0, approve=approve, actor=web.viewer.actor)
        except ServiceError:
            await roll_back(web)
            return not_found(web, N_("There is no such draft (it may have been decided already)."))
        await web.db.commit()
        return done(web, "/admin/blocklists#drafts", "draft_approved" if approve else "draft_rejected")
    return handler


approve_draft, reject_draft = draft_decision(True), draft_decision(False)


async def set_publication(web: Web) -> Response:
    peers = [d for d in re.split(r"[\s,]+", web.value("trusted")) if d]
    try:
        await publish.set_visibility(web.db, web.value("visibility"), peers, actor=web.viewer.actor)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc))
    await web.db.commit()
    return done(web, "/admin/blocklists#publish", "published")
