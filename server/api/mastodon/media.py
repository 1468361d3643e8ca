"""/api/v1/media and /api/v2/media: upload an image (cleaned of its metadata), read and describe it."""
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
from server.services import media as media_service


def media_json(runtime: Runtime, row: MediaAttachment) -> dict:
    """An upload not yet posted, with the patient-privacy reminder (faces, wristbands, labels, screens):
    apps ignore fields they do not know; ours show it while the upload waits to be posted."""
    entity = attachment_to_mastodon(media_service.attachment_json(runtime, row), fallback_id=str(row.id),
                                    remote=False)
    entity["curbside"] = {"reminder": IMAGE_REMINDER}
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
        await session.commit()
        return JSONResponse(media_json(state.runtime, row))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:media")
    async with request.app.state.sessions() as session:
        owner = await session.get(Actor, auth.account.actor_id)
        row = await media_service.own_unattached(session, owner, path_id(request))
        return JSONResponse(media_json(request.app.state.runtime, row))


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
