"""Settings for moving between instances, as Mastodon has them: the accounts that are also the member's
(/settings/aliases), moving her account to another (/settings/migration, with her password; undone there
within the undo period), and importing Mastodon's CSV exports (/settings/import, with the worker's progress)."""
from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Actor
from server.db.models.imports import IMPORT_KINDS
from server.db.types import utcnow
from server.i18n import N_, gettext
from server.services.accounts import imports, migration
from server.web.forms import rollback, sentence, upload
from server.web.page import Web
from server.web.settings_account import password_checked
from server.web.settings_profile import render_settings

MAX_IMPORT_BYTES = 2_000_000
KIND_NAMES = {"following": N_("Accounts you follow (following_accounts.csv)"), "lists": N_("Lists (lists.csv)"),
              "blocks": N_("Accounts you block (blocked_accounts.csv)"),
              "mutes": N_("Accounts you mute (muted_accounts.csv)"), "bookmarks": N_("Bookmarks (bookmarks.csv)")}


async def _aliases_page(web: Web, status: int = 200, error: str = "", typed: str = "") -> Response:
    uris = list(web.viewer.actor.also_known_as or [])
    known = {a.uri: a for a in (await web.db.execute(select(Actor).where(Actor.uri.in_(uris)))).scalars()}
    aliases = [(uri, known[uri].acct if uri in known else uri) for uri in uris]
    return render_settings(web, "settings/aliases.html", "aliases", status, error=error, aliases=aliases, typed=typed)


async def aliases(web: Web) -> Response:
    if web.request.method == "GET":
        return await _aliases_page(web)
    try:
        await migration.add_alias(web.runtime, web.db, web.viewer.actor, web.value("acct"))
    except ServiceError as exc:
        await rollback(web)
        return await _aliases_page(web, 422, sentence(exc), web.value("acct"))
    await web.db.commit()
    return web.redirect("/settings/aliases?notice=alias_added")


async def remove_alias(web: Web) -> Response:
    try:
        await migration.remove_alias(web.runtime, web.db, web.viewer.actor, web.value("uri"))
    except ServiceError as exc:
        await rollback(web)
        return await _aliases_page(web, 422, sentence(exc))
    await web.db.commit()
    return web.redirect("/settings/aliases?notice=alias_removed")


async def _migration_page(web: Web, status: int = 200, error: str = "", typed: str = "") -> Response:
    actor = web.viewer.actor
    moved_to = None
    if actor.moved_to_uri:
        moved_to = (await web.db.execute(select(Actor).where(Actor.uri == actor.moved_to_uri))).scalar_one_or_none()
    return render_settings(web, "settings/migration.html", "migration", status, error=error, typed=typed,
                           actor=actor, moved_to=moved_to, undo_until=migration.undo_until(actor),
                           undo_days=migration.MOVE_UNDO_DAYS, now=utcnow())


async def move(web: Web) -> Response:
    if web.request.method == "GET":
        return await _migration_page(web)
    problem = await password_checked(web, web.value("password"))
    if problem is None:
        try:
            await migration.move_out(web.runtime, web.db, web.viewer, web.value("acct"))
        except ServiceError as exc:
            await rollback(web)
            problem = sentence(exc)
    if problem:
        return await _migration_page(web, 422, problem, web.value("acct"))
    await web.db.commit()
    return web.redirect("/settings/migration?notice=moved")


async def undo_move(web: Web) -> Response:
    try:
        await migration.undo_move(web.runtime, web.db, web.viewer)
    except ServiceError as exc:
        await rollback(web)
        return await _migration_page(web, 409, sentence(exc))
    await web.db.commit()
    return web.redirect("/settings/migration?notice=move_undone")


async def _import_page(web: Web, status: int = 200, error: str = "") -> Response:
    jobs = await imports.recent_imports(web.db, web.viewer.actor)
    return render_settings(web, "settings/import.html", "import", status, error=error, jobs=jobs,
                           kinds=[(k, gettext(KIND_NAMES[k])) for k in IMPORT_KINDS],
                           kind_names={k: gettext(name) for k, name in KIND_NAMES.items()})


async def import_data(web: Web) -> Response:
    if web.request.method == "GET":
        return await _import_page(web)
    file = await upload(web, "data")
    try:
        if file is None:
            raise ServiceError(N_("choose the CSV file to import"))
        data = await file.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise ServiceError(N_("the file is larger than %(limit)s MB"),
                               values={"limit": MAX_IMPORT_BYTES // 1_000_000})
        await imports.start_import(web.db, web.viewer.actor, web.value("kind"), web.value("mode"), data)
    except ServiceError as exc:
        await rollback(web)
        return await _import_page(web, 422, sentence(exc))
    await web.db.commit()
    return web.redirect("/settings/import?notice=import_queued")
