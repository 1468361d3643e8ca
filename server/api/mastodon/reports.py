"""What members do about moderation: POST /api/v1/reports (Mastodon's shape), and their notices
(GET /api/v1/moderation_warnings) with one appeal each (POST .../{id}/appeal). A suspended member
can still read their notices and appeal with their token: nothing else."""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate, bearer
from server.api.mastodon.common import account_json, not_found, path_id
from server.api.mastodon.params import read_params
from server.convert.actor_to_mastodon import iso
from server.convert.moderation_to_mastodon import report_to_member
from server.db.models import AccountModeration, AccountWarning, Actor, OAuthToken
from server.services.accounts.scopes import covers, parse_scopes
from server.services.moderation import actions
from server.services.moderation.reports import file_report, parse_category


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:reports")
    params = await read_params(request)
    state = request.app.state
    target_id = params.id("account_id")
    if target_id is None:
        raise HTTPException(422, "account_id is required")
    category = parse_category(params.text("category"))
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await session.get(Actor, target_id)
        if target is None:
            raise not_found()
        report = await file_report(state.runtime, session, me, target, post_ids=params.ids("status_ids"),
                                   comment=params.text("comment") or "", category=category,
                                   rule_ids=params.ids("rule_ids"), forward=params.flag("forward", False))
        await session.commit()
        return JSONResponse(report_to_member(report, await account_json(request, session, target)))


async def _member(request: Request, session, scope: str) -> Actor:
    """The token's member, suspended ones included (they may read their notices and appeal)."""
    token = bearer(request)
    row = None
    if token:
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = (await session.execute(select(OAuthToken).where(OAuthToken.token_hash == digest))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise HTTPException(401, "The access token is invalid")
    if not covers(parse_scopes(row.scopes), scope):
        raise HTTPException(403, "This action is outside the authorized scopes")
    if row.account is None:
        raise HTTPException(422, "This method requires an authenticated user")
    account = row.account
    if account.disabled_at is not None:
        sanction = await session.get(AccountModeration, account.actor_id)
        if sanction is None or sanction.suspended_at is None:
            raise HTTPException(401, "The access token is invalid")
    return await session.get(Actor, account.actor_id)


def warning_to_json(warning: AccountWarning) -> dict:
    return {"id": str(warning.id), "action": warning.action, "text": warning.text,
            "status_uris": warning.post_uris, "created_at": iso(warning.created_at),
            "report_id": str(warning.report_id) if warning.report_id else None,
            "appeal": None if warning.appeal_at is None else {
                "text": warning.appeal_text, "state": warning.appeal_state, "created_at": iso(warning.appeal_at)}}


async def warnings(request: Request) -> JSONResponse:
    async with request.app.state.sessions() as session:
        me = await _member(request, session, "read:accounts")
        rows = (await session.execute(select(AccountWarning).where(AccountWarning.actor_id == me.id)
                                      .order_by(AccountWarning.id.desc()).limit(100))).scalars()
        return JSONResponse([warning_to_json(w) for w in rows])


async def appeal(request: Request) -> JSONResponse:
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        me = await _member(request, session, "write:reports")
        warning = await actions.appeal(session, me, path_id(request), params.text("text") or "")
        await session.commit()
        return JSONResponse(warning_to_json(warning))
