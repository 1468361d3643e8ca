"""Settings: whom the member blocks and mutes (accounts and whole domains), undone here, and their data to
take away (Mastodon CSV lists, an ActivityPub outbox of their posts)."""
from __future__ import annotations

import json

from sqlalchemy import select
from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Actor, Block, Mute
from server.db.types import utcnow
from server.i18n import gettext
from server.services.accounts.exports import CSV_EXPORTS, FILE_NAMES, export_csv, export_outbox
from server.services.social import blocks_and_mutes as members
from server.web.forms import rollback, sentence
from server.web.page import Web, error_page
from server.web.settings_profile import render_settings


async def _targets(web: Web, model) -> list:
    query = (select(Actor, model).join(model, model.target_id == Actor.id)
             .where(model.actor_id == web.viewer.actor_id).order_by(model.id.desc()))
    return list((await web.db.execute(query)).all())


async def _blocks_page(web: Web, status: int = 200, error: str = "", domain: str = "") -> Response:
    now = utcnow()
    mutes = [(actor, mute) for actor, mute in await _targets(web, Mute)
             if mute.expires_at is None or mute.expires_at > now]
    return render_settings(web, "settings/blocks.html", "blocks", status, error=error, typed_domain=domain,
                           blocks=[actor for actor, _ in await _targets(web, Block)], mutes=mutes,
                           domains=await members.blocked_domains(web.db, web.viewer.actor))


async def blocks(web: Web) -> Response:
    return await _blocks_page(web)


async def _target(web: Web) -> Actor | None:
    raw = web.value("account_id")
    return await web.db.get(Actor, int(raw)) if raw.isdigit() and len(raw) < 20 else None


async def unblock(web: Web) -> Response:
    target = await _target(web)
    if target is not None:
        await members.unblock(web.runtime, web.db, web.viewer.actor, target)
        await web.db.commit()
    return web.redirect("/settings/blocks?notice=unblocked")


async def unmute(web: Web) -> Response:
    target = await _target(web)
    if target is not None:
        await members.unmute(web.db, web.viewer.actor, target)
        await web.db.commit()
    return web.redirect("/settings/blocks?notice=unmuted")


async def block_domain(web: Web) -> Response:
    try:
        await members.block_domain(web.runtime, web.db, web.viewer.actor, web.value("domain"))
    except ServiceError as exc:
        await rollback(web)
        return await _blocks_page(web, 422, sentence(exc), web.value("domain")[:255])
    await web.db.commit()
    return web.redirect("/settings/blocks?notice=domain_blocked")


async def unblock_domain(web: Web) -> Response:
    try:
        await members.unblock_domain(web.runtime, web.db, web.viewer.actor, web.value("domain"))
    except ServiceError:
        return web.redirect("/settings/blocks")
    await web.db.commit()
    return web.redirect("/settings/blocks?notice=domain_unblocked")


async def export(web: Web) -> Response:
    return render_settings(web, "settings/export.html", "export")


async def download(web: Web) -> Response:
    """/settings/export/{name}: one file of the member's data, as an attachment."""
    name, me = web.request.path_params["name"], web.viewer.actor
    if name in CSV_EXPORTS:
        body, media_type = await export_csv(web.db, me, name), "text/csv; charset=utf-8"
    elif name == "outbox":
        document = await export_outbox(web.db, me, web.runtime.urls)
        body, media_type = json.dumps(document, ensure_ascii=False, indent=1), "application/activity+json"
    else:
        return error_page(web, 404, gettext("There is no such export."))
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{FILE_NAMES[name]}"', "Cache-Control": "private, no-store"})
