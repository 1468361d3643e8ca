"""/api/v1/media and /api/v2/media: upload an image (cleaned of its metadata), read and describe it, blur
what the patient-privacy guard found in it.

v1 answers once the guard has looked at the image; v2 answers 202 at once while it looks (with `url` null,
as Mastodon while it processes), and GET answers 206 until the verdict is in, then 200. The verdict rides
along as `curbside_phi_findings` ([{kind, box: [x, y, w, h], text?}]) and `curbside.phi_status`."""
from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import ServiceError
from moderation.phi import IMAGE_REMINDER
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import path_id
from server.api.mastodon.params import Params, read_params
from server.convert.media_to_mastodon import attachment_to_mastodon
from server.db.models import Actor, MediaAttachment
from server.runtime import Runtime
from server.services.posts import media as media_service
from server.services.posts import media_phi

MAX_BOXES = 50


def media_json(runtime: Runtime, row: MediaAttachment) -> dict:
    """An upload not yet posted, with the patient-privacy reminder (faces, wristbands, labels, screens):
    apps ignore fields they do not know; ours show it while the upload waits to be posted."""
    entity = attachment_to_mastodon(media_service.attachment_json(runtime, row), fallback_id=str(row.id),
                                    remote=False)
    entity["curbside"] = {"reminder": IMAGE_REMINDER, "phi_status": row.phi_status}
    if row.phi_status == media_phi.QUEUED:
        entity["url"] = None
    if row.phi_findings:
        entity["curbside_phi_findings"] = row.phi_findings
    return entity


def _details(params: Params) -> tuple[str | None, tuple[float, float] | None]:
    focus = params.text("focus")
    description = media_service.check_description(params.text("description"))
    focus = media_service.parse_focus(focus) if focus else None
    return description, focus


async def upload(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:media")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        raise HTTPException(422, "send the file as multipart/form-data")
    params = await read_params(request)
    form = await request.form()  # the form read_params read: closed below
    try:
        file = params.get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(422, "file is missing")
        description, focus = _details(params)
        data = await file.read()
    finally:
        await form.close()
    state = request.app.state
    async with state.sessions() as session:
        owner = await session.get(Actor, auth.account.actor_id)
        try:
            row = await media_service.upload(state.runtime, session, owner, data, description=description,
                                             focus=focus or (0.0, 0.0))
        except ServiceError as exc:
            raise HTTPException(422, f"Validation failed: {exc}") from None
        if request.url.path.startswith("/api/v2/"):
            await session.commit()
            media_phi.check_later(state.runtime, row)
            return JSONResponse(media_json(state.runtime, row), status_code=202)
        await media_phi.check_now(state.runtime, session, row)
        await session.commit()
        return JSONResponse(media_json(state.runtime, row))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:media")
    async with request.app.state.sessions() as session:
        owner = await session.get(Actor, auth.account.actor_id)
        row = await media_service.own_unattached(session, owner, path_id(request))
        media_phi.check_if_stale(request.app.state.runtime, row)
        return JSONResponse(media_json(request.app.state.runtime, row),
                            status_code=206 if row.phi_status == media_phi.QUEUED else 200)


async def update(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:media")
    params = await read_params(request)
    description, focus = _details(params)
    async with request.app.state.sessions() as session:
        owner = await session.get(Actor, auth.account.actor_id)
        row = await media_service.own_unattached(session, owner, path_id(request))
        if "description" in params:
            row.description = description
        if focus is not None:
            row.focus_x, row.focus_y = focus
        await session.commit()
        return JSONResponse(media_json(request.app.state.runtime, row))


def _boxes(params: Params, row: MediaAttachment) -> list[tuple[int, int, int, int]]:
    """The boxes to blur: as given ([[x, y, w, h], ...], in the image's pixels), else what the guard found
    (faces, and whole blocks of text with a finding)."""
    given = params.get("boxes")
    if given is None:
        return media_phi.blur_areas(row)
    if not isinstance(given, list) or not 0 < len(given) <= MAX_BOXES or not all(
            isinstance(b, list) and len(b) == 4 and all(isinstance(v, int) and 0 <= v <= 100_000 for v in b)
            for b in given):
        raise HTTPException(422, f"Validation failed: boxes must be 1 to {MAX_BOXES} lists [x, y, w, h] of "
                                 "whole numbers")
    return [tuple(b) for b in given]


async def blur(request: Request) -> JSONResponse:
    """POST /api/v1/media/:id/blur: a new upload, the image with the boxes blurred, checked again."""
    auth = await authenticate(request, "write:media")
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        owner = await session.get(Actor, auth.account.actor_id)
        row = await media_service.own_unattached(session, owner, path_id(request))
        boxes = _boxes(params, row)
        if not boxes:
            raise HTTPException(422, "nothing to blur: give boxes, or blur an image the guard found something in")
        copy = await media_phi.blurred_copy(state.runtime, session, owner, row, boxes)
        await session.commit()
        return JSONResponse(media_json(state.runtime, copy))
