"""Flag (a report from another server): logged only, until moderation (issue 6) stores reports."""
from __future__ import annotations

import logging

from server.services.inbox.context import InboxContext

log = logging.getLogger("curbside.inbox")


async def on_flag_object(ctx: InboxContext) -> None:
    objects = [o if isinstance(o, str) else o.get("id") for o in ctx.activity.objects]
    log.info("report %s from %s about %s: %r", ctx.activity.id, ctx.activity.actor, objects,
             (ctx.activity.content or "")[:200])
