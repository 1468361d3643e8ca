"""Reviewers' verification API under /api/v1/curbside/admin/: the queue, one request (with its evidence),
approve, reject with a reason, ask for more information; direct grants and revocations; the audit log."""
from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.api.mastodon.common import account_json, not_found, path_id
from server.api.mastodon.paging import int_param
from server.api.mastodon.params import Params, query, read_params
from server.api.mastodon.staff import staff
from server.convert.verification_to_json import request_to_json, verification_to_json
from server.db.models import Account, Actor, VerificationRequest
from server.db.models.verification import REQUEST_STATES
from server.services.accounts.members import find_local_account
from server.services.accounts.professional_profile import get_profile
from server.services.instance.mail import send_quietly
from server.services.verification import workflow
from server.services.verification.audit import audit, audit_entries, audit_json
from server.services.verification.evidence import read_evidence
from server.services.verification.online_checks import check_request
from server.storage.responses import download_response


def _text(params: Params, name: str) -> str:
    return params.text(name, "").strip()


async def _reviewer_json(request: Request, session, req: VerificationRequest) -> dict:
    member = await session.get(Account, req.account_id)
    profile = await get_profile(session, member.actor_id)
    return request_to_json(req, reviewer_view=True, account=await account_json(request, session, member.actor),
                           real_name=profile.real_name, email=member.email, online_checks=req.online_checks or [])


async def queue(request: Request) -> JSONResponse:
    await staff(request, "admin:read")
    wanted = request.query_params.get("state", "open")
    states = workflow.OPEN_STATES if wanted == "open" else (wanted,)
    if not set(states) <= set(REQUEST_STATES):
        raise HTTPException(422, f"state must be open or one of {', '.join(REQUEST_STATES)}")
    async with request.app.state.sessions() as session:
        requests = await workflow.review_queue(session, states)
        limit = int_param(request, "limit", 100, 500)
        return JSONResponse([await _reviewer_json(request, session, r) for r in requests[:limit]])


async def _request(session, request: Request) -> VerificationRequest:
    found = await session.get(VerificationRequest, path_id(request))
    if found is None:
        raise not_found()
    return found


async def show(request: Request) -> JSONResponse:
    await staff(request, "admin:read")
    async with request.app.state.sessions() as session:
        return JSONResponse(await _reviewer_json(request, session, await _request(session, request)))


async def check(request: Request) -> JSONResponse:
    """Run the enabled online checkers on the request again (a registry was down, say); 422 when none applies."""
    await staff(request, "admin:write")
    state = request.app.state
    async with state.sessions() as session:
        found = await _request(session, request)
        if not await check_request(state.runtime, session, found):
            raise HTTPException(422, "no online checker is enabled for this credential type "
                                     "(CURBSIDE_VERIFICATION_CHECKERS)")
        await session.commit()
        return JSONResponse(await _reviewer_json(request, session, found))


async def evidence(request: Request) -> Response:
    """The evidence file, for reviewers; each download is audited."""
    auth = await staff(request, "admin:read")
    async with request.app.state.sessions() as session:
        found = await _request(session, request)
        data = await read_evidence(request.app.state.runtime.storage, found.evidence_path)
        if data is None or found.evidence_deleted_at is not None:
            raise HTTPException(404, "The evidence file is gone (deleted after the decision)")
        reviewer = await session.get(Account, auth.account.id)
        await audit(session, "evidence_viewed", by=reviewer, subject=await session.get(Account, found.account_id),
                    request_id=found.id, evidence_sha256=found.evidence_sha256)
        await session.commit()
    return download_response(data, found.evidence_type or "application/octet-stream", found.evidence_name or "evidence")


def _decision(kind: str):
    async def handler(request: Request) -> JSONResponse:
        auth = await staff(request, "admin:write")
        params, state, mail = await read_params(request), request.app.state, []
        async with state.sessions() as session:
            found = await _request(session, request)
            reviewer = await session.get(Account, auth.account.id)
            if kind == "approve":
                await workflow.approve(session, state.settings, found, reviewer, mail, storage=state.runtime.storage)
            elif kind == "reject":
                await workflow.reject(session, state.settings, found, reviewer, _text(params, "reason"), mail,
                                      storage=state.runtime.storage)
            else:
                await workflow.request_info(session, state.settings, found, reviewer,
                                            _text(params, "message") or _text(params, "reason"), mail)
            await session.commit()
            body = await _reviewer_json(request, session, found)
        await send_quietly(state.settings, mail)
        return JSONResponse(body)
    return handler


approve = _decision("approve")
reject = _decision("reject")
request_info = _decision("request_info")


async def _member(session, settings, params: Params) -> Account:
    username = _text(params, "username")
    account_id = params.id("account_id")
    member = None
    if username:
        member = await find_local_account(session, settings.domain, username.lstrip("@").split("@")[0])
    elif account_id is not None:
        member = (await session.execute(select(Account).where(Account.actor_id == account_id))).scalar_one_or_none()
    if member is None:
        raise HTTPException(404, "No such local account")
    return member


async def grant(request: Request) -> JSONResponse:
    """POST /api/v1/curbside/admin/verifications: an admin verifies `username` (or `account_id`) directly."""
    auth = await staff(request, "admin:write", admin_only=True)
    params, state, mail = await read_params(request), request.app.state, []
    async with state.sessions() as session:
        member = await _member(session, state.settings, params)
        admin = await session.get(Account, auth.account.id)
        granted = await workflow.grant(session, state.settings, member, admin, profession=_text(params, "profession"),
                                       specialty=_text(params, "specialty"),
                                       jurisdiction=_text(params, "jurisdiction"), mail=mail)
        await session.commit()
        body = verification_to_json(granted)
    await send_quietly(state.settings, mail)
    return JSONResponse(body, status_code=201)


async def revoke(request: Request) -> JSONResponse:
    """POST /api/v1/curbside/admin/accounts/{id}/revoke_verification with a `reason`."""
    auth = await staff(request, "admin:write")
    params, state, mail = await read_params(request), request.app.state, []
    async with state.sessions() as session:
        member = await _member(session, state.settings, Params(account_id=path_id(request)))
        by = await session.get(Account, auth.account.id)
        revoked = await workflow.revoke(session, state.settings, member, by, _text(params, "reason"), mail)
        await session.commit()
        body = verification_to_json(revoked)
    await send_quietly(state.settings, mail)
    return JSONResponse(body)


async def audit_log(request: Request) -> JSONResponse:
    """GET /api/v1/curbside/admin/verification_audit[?account_id=ID][&request_id=ID][&max_id=ID]."""
    await staff(request, "admin:read")
    given = query(request)
    ids = {name: given.id(name) for name in ("account_id", "request_id", "max_id") if given.id(name) is not None}
    async with request.app.state.sessions() as session:
        subject = None
        if "account_id" in ids:
            subject = (await session.execute(select(Account.id).join(Actor, Actor.id == Account.actor_id)
                                             .where(Actor.id == ids["account_id"]))).scalar_one_or_none() or -1
        entries = await audit_entries(session, subject_account_id=subject, request_id=ids.get("request_id"),
                                      max_id=ids.get("max_id"), limit=int_param(request, "limit", 100, 500))
        return JSONResponse([audit_json(e) for e in entries])
