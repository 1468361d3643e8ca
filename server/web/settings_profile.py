"""Settings: the public profile (name, note, pictures, fields), the professional profile (pseudonym mode,
real name, profession, NUCC specialty, institution, jurisdiction) and privacy (locked, discoverable,
indexable).
Each change goes out to followers as one actor Update, as from the client API."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.services.accounts import mastodon_profile as profile
from server.services.accounts import professional_profile as profiles
from server.services.accounts.specialties import specialty_name
from server.services.verification.attestations_issued import current_verifications, publish_actor_update
from server.web.forms import rollback, sentence, upload
from server.web.notices import notice
from server.web.page import Web
from server.web.professions import profession_choices, specialty_groups

PROFESSIONAL = ("real_name", "profession", "specialty", "institution", "jurisdiction")


def render_settings(web: Web, template: str, section: str, status: int = 200, **context) -> Response:
    """A settings page: the settings menu with `section` marked, and the ?notice= line if any."""
    return web.render(template, status=status, section=section, notice=notice(web), domain=web.settings.domain,
                      **context)


async def _profile_page(web: Web, status: int = 200, error: str = "") -> Response:
    actor = web.viewer.actor
    own = await profiles.get_profile(web.db, actor.id)
    verified = (await current_verifications(web.db, [actor.id])).get(actor.id)
    fields = [(f.get("name", ""), f.get("source", f.get("value", "")))
              for f in actor.fields or [] if isinstance(f, dict)]
    fields += [("", "")] * (profile.MAX_FIELDS - len(fields))
    return render_settings(web, "settings/profile.html", "profile", status, error=error, actor=actor, own=own,
                           fields=fields[:profile.MAX_FIELDS], verified=verified,
                           verified_specialty=specialty_name(verified.specialty_code) if verified else None,
                           professions=profession_choices(), specialty_groups=specialty_groups(),
                           max_note=profile.MAX_NOTE)


async def _image(web: Web, name: str) -> bytes | None:
    file = await upload(web, name)
    return await file.read() if file is not None else None


def _fields(web: Web) -> list[tuple[str, str]]:
    return [(web.value(f"field_name_{i}"), web.value(f"field_value_{i}")) for i in range(profile.MAX_FIELDS)]


def _professional(web: Web) -> profiles.ProfileChanges:
    changes = profiles.ProfileChanges(pseudonymous=web.value("pseudonymous") == "on")
    for name in PROFESSIONAL:
        setattr(changes, name, web.value(name).strip())
    return changes


async def _publish(web: Web) -> None:
    """Commit a profile change and send the actor's Update to followers."""
    actor = web.viewer.actor
    await publish_actor_update(web.db, web.settings, actor)
    await web.db.commit()


async def edit_profile(web: Web) -> Response:
    if web.request.method == "GET":
        return await _profile_page(web)
    changes = profile.ProfileChanges(
        display_name=web.value("display_name"), note=web.value("note").replace("\r\n", "\n"),
        avatar=await _image(web, "avatar"), header=await _image(web, "header"), fields=_fields(web))
    try:
        await profiles.update_profile(web.db, web.runtime.urls, web.viewer, _professional(web))
        await profile.update_profile(web.runtime, web.db, web.viewer.actor, changes)
    except ServiceError as exc:
        await rollback(web)
        return await _profile_page(web, 422, sentence(exc))
    await _publish(web)
    return web.redirect("/settings/profile?notice=saved")


async def privacy(web: Web) -> Response:
    if web.request.method == "GET":
        return render_settings(web, "settings/privacy.html", "privacy", actor=web.viewer.actor)
    changes = profile.ProfileChanges(locked=web.value("locked") == "on", discoverable=web.value("discoverable") == "on",
                                     indexable=web.value("indexable") == "on")
    await profile.update_profile(web.runtime, web.db, web.viewer.actor, changes)
    await _publish(web)
    return web.redirect("/settings/privacy?notice=saved")


async def settings_home(web: Web) -> Response:
    return web.redirect("/settings/profile")
