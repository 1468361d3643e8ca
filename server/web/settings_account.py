"""Settings: the account itself — its email, a new password (ending the other sessions), the browsers
logged in (each can be logged out, or all at once), and deleting the account."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.i18n import gettext
from server.services.accounts import web_sessions
from server.services.accounts.deletion import delete_account
from server.services.accounts.login import check_login
from server.services.accounts.registration import change_password
from server.web.forms import sentence
from server.web.page import Web
from server.web.settings_profile import render_settings

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Chromium/", "Chromium"), ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_browser(user_agent: str) -> str:
    """"Firefox on Windows" from a User-Agent, for telling sessions apart (the full string is in a tooltip)."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (user_agent[:60] if user_agent else "Unknown browser")


async def _account_page(web: Web, status: int = 200, error: str = "") -> Response:
    sessions = await web_sessions.list_for(web.db, web.viewer.id)
    rows = [(row, web_sessions.is_current(row, web.session_token)) for row in sessions]
    return render_settings(web, "settings/account.html", "account", status, error=error, sessions=rows,
                           account=web.viewer, browser=describe_browser)


async def account(web: Web) -> Response:
    return await _account_page(web)


async def password_checked(web: Web, password: str) -> str | None:
    """None if `password` is the viewer's, else why not (wrong, or locked out after too many tries)."""
    client = web.request.client
    try:
        await check_login(web.db, web.viewer.actor.username, password, ip=client.host if client else None)
    except ServiceError as exc:
        return sentence(exc) if exc.kind is Kind.RATE_LIMITED else "Your current password is not right."
    return None


async def password(web: Web) -> Response:
    problem = await password_checked(web, web.value("current_password"))
    if problem is None and web.value("password") != web.value("password_confirmation"):
        problem = gettext("The two new passwords do not match.")
    if problem is None:
        try:
            await change_password(web.db, web.viewer, web.value("password"), keep_session=web.session_token)
        except ServiceError as exc:
            problem = sentence(exc)
    if problem:
        return await _account_page(web, 422, problem)
    await web.db.commit()
    return web.redirect("/settings/account?notice=password")


async def end_session(web: Web) -> Response:
    raw = web.value("session_id")
    if raw.isdigit():
        await web_sessions.end_one(web.db, web.viewer.id, int(raw))
        await web.db.commit()
    return web.redirect("/settings/account?notice=session_ended")


async def log_out_everywhere(web: Web) -> Response:
    await web_sessions.end_all(web.db, web.viewer.id)
    await web.log_out()
    await web.db.commit()
    return web.redirect("/login")


async def delete(web: Web) -> Response:
    if web.request.method == "GET":
        return render_settings(web, "settings/delete.html", "delete")
    problem = await password_checked(web, web.value("password"))
    if problem is None and web.value("confirm") != "on":
        problem = gettext("Tick the box to confirm that you understand the deletion cannot be undone.")
    if problem is None:
        username = web.viewer.actor.username
        try:
            await delete_account(web.runtime, web.db, web.viewer)
        except ServiceError as exc:
            problem = sentence(exc)
    if problem:
        return render_settings(web, "settings/delete.html", "delete", 422, error=problem)
    await web.log_out()
    await web.db.commit()
    return web.render("settings/deleted.html", username=username)
