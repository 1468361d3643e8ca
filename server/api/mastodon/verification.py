"""A member's verification requests: POST (multipart with an optional `evidence` file, or JSON) and GET
/api/v1/curbside/verification_requests, one request, answering a reviewer's question; and the NUCC
specialties a profession may pick."""
from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import ServiceError
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import Params, read_params
from server.convert.verification_to_json import request_to_json
from server.db.models import Account, VerificationRequest
from server.services.accounts.specialties import PROFESSIONS, specialties_for
from server.services.verification.online_checks import check_request
from server.services.verification.workflow import Submission, Upload, my_requests, respond, submit_request


def _text(params: Params, name: str) -> str:
    return params.text(name, "").strip()


async def read_upload(params: dict, name: str = "evidence") -> Upload | None:
    value = params.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    return Upload(await value.read(), value.filename, value.content_type)


def refused(exc: ServiceError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:accounts")
    params, state = await read_params(request), request.app.state
    submission = Submission(
        profession=_text(params, "profession"), specialty=_text(params, "specialty"),
        credential_type=_text(params, "credential_type"), credential_number=_text(params, "credential_number"),
        jurisdiction=_text(params, "jurisdiction"), note=_text(params, "note") or None,
        evidence=await read_upload(params))
    async with state.sessions() as session:
        account = await session.get(Account, auth.account.id)
        created = await submit_request(session, state.settings, account, submission, storage=state.runtime.storage)
        await session.commit()
        if await check_request(state.runtime, session, created):  # committed first: a failed check loses nothing
            await session.commit()
        return JSONResponse(request_to_json(created), status_code=201)


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:accounts")
    async with request.app.state.sessions() as session:
        account = await session.get(Account, auth.account.id)
        return JSONResponse([request_to_json(r) for r in await my_requests(session, account)])


async def _own(session, auth, request: Request) -> VerificationRequest:
    found = await session.get(VerificationRequest, path_id(request))
    if found is None or found.account_id != auth.account.id:
        raise not_found()
    return found


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:accounts")
    async with request.app.state.sessions() as session:
        return JSONResponse(request_to_json(await _own(session, auth, request)))


async def answer(request: Request) -> JSONResponse:
    """POST .../{id}/respond with a `note` and/or a new `evidence` file, when a reviewer asked for more."""
    auth = await authenticate(request, "write:accounts")
    params, state = await read_params(request), request.app.state
    async with state.sessions() as session:
        found = await _own(session, auth, request)
        account = await session.get(Account, auth.account.id)
        await respond(session, state.settings, found, account, _text(params, "note") or None,
                      await read_upload(params), storage=state.runtime.storage)
        await session.commit()
        return JSONResponse(request_to_json(found))


async def specialties(request: Request) -> JSONResponse:
    """GET /api/v1/curbside/specialties?profession=P: the NUCC codes offered to that profession."""
    profession = request.query_params.get("profession", "physician")
    if profession not in PROFESSIONS:
        raise HTTPException(422, f"profession must be one of {', '.join(PROFESSIONS)}")
    return JSONResponse([{"code": s.code, "name": s.name} for s in specialties_for(profession)])
