"""Flag: a report from another server about our members or their posts, into the report queue
(unless that server's domain is set to reject reports)."""
from __future__ import annotations

import logging

from server.convert.as_to_actor import actor_domain
from server.services.federation.inbox.context import InboxContext
from server.services.moderation.reports import receive_flag

log = logging.getLogger("curbside.inbox")


async def on_flag_object(ctx: InboxContext) -> None:
    activity = ctx.activity
    if not (await ctx.runtime.policies.get()).effective(actor_domain(activity.actor)).accept_reports:
        log.info("report %s from %s ignored: the domain's reports are rejected", activity.id, activity.actor)
        return
    objects = [o if isinstance(o, str) else o.get("id") for o in activity.objects]
    reporter = await ctx.actor()
    report = await receive_flag(ctx.session, reporter, activity.id, objects, activity.content or "", activity.category,
                                ctx.runtime.settings.base_url + "/")
    if report is None:
        log.info("report %s from %s names nothing of ours (or was received already)", activity.id, activity.actor)
    else:
        log.info("report %d received from %s about %s", report.id, activity.actor, report.target_uri)
