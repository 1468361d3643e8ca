"""A forgotten password: ask for a mailed link (the answer is the same whether an account exists or not),
then choose a new password on the page the link opens. Every other session and app token then ends."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.i18n import gettext
from server.services.accounts.mailed_tokens import peek_token
from server.services.accounts.registration import request_password_reset, reset_password
from server.services.instance.mail import send_quietly
from server.web.forms import sentence
from server.web.page import Web


async def forgot(web: Web) -> Response:
    if web.request.method == "GET":
        return web.render("password/forgot.html")
    login = web.value("login").strip()
    if not login:
        return web.render("password/forgot.html", status=422, error=gettext("Enter your email address or username."))
    message = await request_password_reset(web.db, web.settings, login[:320])
    await web.db.commit()
    if message is not None:
        await send_quietly(web.settings, [message])
    return web.render("password/forgot.html", sent=True)


async def reset(web: Web) -> Response:
    token = web.request.path_params["token"]
    try:
        account = await peek_token(web.db, "reset", token)
    except ServiceError:
        return web.render("password/reset.html", status=400, invalid=True)
    if web.request.method == "GET":
        return web.render("password/reset.html", username=account.actor.username)
    password = web.value("password")
    if password != web.value("password_confirmation"):
        return web.render("password/reset.html", status=422, username=account.actor.username,
                          error=gettext("The two passwords do not match."))
    try:
        account = await reset_password(web.db, token, password)
    except ServiceError as exc:
        if exc.kind is Kind.EXPIRED:
            return web.render("password/reset.html", status=400, invalid=True)
        return web.render("password/reset.html", status=422, username=account.actor.username,
                          error=sentence(exc))
    if account.disabled_at or not account.approved_at:
        await web.db.commit()
        return web.render("password/reset.html", done=True)
    await web.log_in(account)
    await web.db.commit()
    return web.redirect("/home")
