"""Joining from the web: the sign-up form in the admin's registration mode (closed, invite, approval,
open), invite links, and the link of the confirmation mail (which confirms, then logs the member in)."""
from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.models import Invite
from server.errors import status_of
from server.i18n import current_locale, gettext
from server.services.accounts import professional_profile as profiles
from server.services.accounts.invites import is_usable
from server.services.accounts.mailed_tokens import peek_token
from server.services.accounts.preferences import valid_locale
from server.services.accounts.registration import Registration, confirm_email, register
from server.services.instance.mail import send_quietly
from server.services.instance.settings import registration_mode
from server.web.forms import sentence
from server.web.page import Web
from server.web.professions import profession_choices, specialty_groups
from server.web.settings_preferences import language_choices

FIELDS = ("username", "email", "real_name", "profession", "specialty", "reason", "invite_code", "locale")


async def _invite_state(web: Web, code: str) -> str | None:
    """None for a usable invite code, else what is wrong with it."""
    invite = (await web.db.execute(select(Invite).where(Invite.code == code))).scalar_one_or_none()
    if invite is not None and is_usable(invite):
        return None
    return gettext("This invite link is invalid, expired or used up.")


async def _form(web: Web, status: int = 200, error: str = "", **values: str) -> Response:
    mode = await registration_mode(web.db, web.settings)
    invite_code = values.get("invite_code", "")
    return web.render("signup/signup.html", status=status, mode=mode, error=error, values=values,
                      needs_invite=mode in ("closed", "invite") and not invite_code,
                      asks_reason=mode == "approval" and not invite_code,
                      professions=profession_choices(), specialty_groups=specialty_groups(), domain=web.settings.domain,
                      languages=language_choices(), locale=values.get("locale") or current_locale())


async def signup(web: Web) -> Response:
    if web.viewer is not None:
        return web.redirect("/home")
    if web.request.method == "GET":
        code = web.request.query_params.get("invite", "")[:100]
        return await _form(web, invite_code=code)
    return await _register(web)


async def invite(web: Web) -> Response:
    """/invite/{code}: the sign-up form with the invite filled in, or why the invite cannot be used."""
    if web.viewer is not None:
        return web.redirect("/home")
    code = web.request.path_params["code"][:100]
    problem = await _invite_state(web, code)
    if problem:
        return await _form(web, status=404, error=problem)
    return await _form(web, invite_code=code)


async def _register(web: Web) -> Response:
    values = {name: web.value(name).strip() for name in FIELDS}
    if web.value("password") != web.value("password_confirmation"):
        return await _form(web, 422, gettext("The two passwords do not match."), **values)
    registration = Registration(
        username=values["username"], email=values["email"], password=web.value("password"),
        agreement=web.value("agreement") == "on", reason=values["reason"] or None,
        invite_code=values["invite_code"] or None, locale=values["locale"] or None)
    mail: list = []
    try:
        valid_locale(registration.locale)  # the form's select offers the catalogs only: anything else is tampering
        account = await register(web.db, web.settings, registration, mail)
        await profiles.update_profile(web.db, web.runtime.urls, account, _professional(web, values))
    except ServiceError as exc:
        await web.db.rollback()
        status = status_of(exc)
        return await _form(web, status, sentence(exc), **values)
    await web.db.commit()
    await send_quietly(web.settings, mail)
    return web.render("signup/sent.html", email=account.email, awaiting=account.approved_at is None)


def _professional(web: Web, values: dict[str, str]) -> profiles.ProfileChanges:
    changes = profiles.ProfileChanges(pseudonymous=web.value("pseudonymous") == "on")
    if values["real_name"]:
        changes.real_name = values["real_name"]
    if values["profession"]:
        changes.profession = values["profession"]
    if values["specialty"]:
        changes.specialty = values["specialty"]
    return changes


async def confirm(web: Web) -> Response:
    """/confirm/{token}: GET shows whose address it confirms (a mail scanner opening the link spends
    nothing); the button confirms it and logs the member in, or says their request awaits approval."""
    token = web.request.path_params["token"]
    if web.request.method == "GET":
        try:
            account = await peek_token(web.db, "confirm", token)
        except ServiceError:
            return web.render("signup/confirm.html", status=400, invalid=True)
        return web.render("signup/confirm.html", username=account.actor.username, email=account.email)
    try:
        account = await confirm_email(web.db, token)
    except ServiceError:
        return web.render("signup/confirm.html", status=400, invalid=True)
    if account.disabled_at or account.approved_at is None:
        await web.db.commit()
        return web.render("signup/confirm.html", confirmed=True, awaiting=account.approved_at is None,
                          disabled=bool(account.disabled_at))
    await web.log_in(account)
    await web.db.commit()
    return web.redirect("/settings/profile?notice=welcome")
