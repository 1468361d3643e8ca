"""Joining and getting back in: POST /api/v1/accounts (Mastodon's registration, with an app token), email
confirmation (the mailed link, and a resend), and password reset by mailed link."""
from __future__ import annotations

import html

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.params import read_params
from server.db.models import Account
from server.services.accounts import oauth
from server.services.accounts.registration import (
    Registration,
    confirm_email,
    confirmation_mail,
    register,
    request_password_reset,
    reset_password,
)
from server.services.instance.mail import send_quietly


async def create_account(request: Request) -> JSONResponse:
    """Mastodon's POST /api/v1/accounts: answers a Token entity for the new member."""
    auth = await authenticate(request, "write:accounts", user=False)
    params = await read_params(request)
    state, mail = request.app.state, []
    registration = Registration(
        username=params.text("username", ""), email=params.text("email", ""), password=params.text("password", ""),
        agreement=params.flag("agreement", False), locale=params.text("locale") or None,
        reason=params.text("reason") or None, invite_code=params.text("invite_code") or None)
    async with state.sessions() as session:
        account = await register(session, state.settings, registration, mail)
        issued = await oauth.issue_token(session, auth.app, account, auth.app.scopes if auth.app else "read")
        await session.commit()
    await send_quietly(state.settings, mail)
    return JSONResponse({"access_token": issued.access_token, "token_type": "Bearer", "scope": issued.scopes,
                         "created_at": issued.created_at})


async def resend_confirmation(request: Request) -> JSONResponse:
    """Mastodon's POST /api/v1/emails/confirmations, for a member who has not confirmed yet."""
    auth = await authenticate(request, "write:accounts", unconfirmed=True)
    state = request.app.state
    async with state.sessions() as session:
        account = await session.get(Account, auth.account.id)
        if account.confirmed_at is not None:
            raise HTTPException(403, "This e-mail address is already confirmed")
        message = await confirmation_mail(session, state.settings, account)
        await session.commit()
    await send_quietly(state.settings, [message])
    return JSONResponse({})


async def _confirm(request: Request, token: str) -> None:
    async with request.app.state.sessions() as session:
        await confirm_email(session, token)
        await session.commit()


async def confirmation_link(request: Request) -> HTMLResponse:
    """GET /auth/confirmation?confirmation_token=...: the link in the confirmation mail."""
    await _confirm(request, request.query_params.get("confirmation_token", ""))
    name = html.escape(request.app.state.settings.instance_name)
    return HTMLResponse(f"<!doctype html><title>{name}</title><h1>{name}</h1>"
                        "<p>Your email address is confirmed. You can log in now.</p>")


async def confirm(request: Request) -> JSONResponse:
    """POST /api/v1/curbside/auth/confirm with `token`: the same as the link, for apps and scripts."""
    await _confirm(request, (await read_params(request)).text("token", ""))
    return JSONResponse({})


async def password_reset(request: Request) -> JSONResponse:
    """POST /api/v1/curbside/auth/password_reset with `email` (or username): always 202, known or not."""
    params, state = await read_params(request), request.app.state
    async with state.sessions() as session:
        message = await request_password_reset(session, state.settings, params.text("email")
                                               or params.text("username", ""))
        await session.commit()
    if message is not None:
        await send_quietly(state.settings, [message])
    return JSONResponse({}, status_code=202)


async def password_change(request: Request) -> JSONResponse:
    """POST /api/v1/curbside/auth/password with `token` (from the reset mail) and the new `password`."""
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        await reset_password(session, params.text("token", ""), params.text("password", ""))
        await session.commit()
    return JSONResponse({})
