"""Logging in and out of the web UI."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.errors import retry_headers
from server.services.accounts.login import check_login
from server.web.forms import refusal
from server.web.page import Web, safe_next


async def login(web: Web) -> Response:
    next_url = safe_next(web.value("next") or web.request.query_params.get("next"))
    if web.request.method == "GET":
        if web.viewer is not None:
            return web.redirect(next_url)
        return web.render("login.html", next=next_url)
    client = web.request.client
    try:
        account = await check_login(web.db, web.value("username"), web.value("password"),
                                    ip=client.host if client else None)
    except ServiceError as exc:
        response = web.render("login.html", status=429 if exc.kind is Kind.RATE_LIMITED else 400, next=next_url,
                              error=refusal(exc), username=web.value("username"),
                              unconfirmed=exc.details.get("unconfirmed"))
        response.headers.update(retry_headers(exc) or {})
        return response
    await web.log_in(account)
    await web.db.commit()
    return web.redirect(next_url)


async def logout(web: Web) -> Response:
    await web.log_out()
    await web.db.commit()
    return web.redirect("/")
