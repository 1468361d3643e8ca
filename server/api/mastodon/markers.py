"""/api/v1/markers: where the member stopped reading home and notifications, shared between their apps."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.params import Params, read_params
from server.convert.actor_to_mastodon import iso
from server.db.models import Marker
from server.services.reading.markers import TIMELINES, read_markers, save_marker


def _json(markers: dict[str, Marker]) -> dict:
    return {name: {"last_read_id": str(m.last_read_id), "version": m.version, "updated_at": iso(m.updated_at)}
            for name, m in markers.items()}


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:statuses")
    wanted = request.query_params.getlist("timeline[]") or request.query_params.getlist("timeline")
    async with request.app.state.sessions() as session:
        return JSONResponse(_json(await read_markers(session, auth.account.actor_id, wanted)))


def _positions(params: Params) -> dict[str, int]:
    """{timeline: last_read_id} from `home: {last_read_id}` (JSON) or `home[last_read_id]` (form fields)."""
    found = {}
    for name in TIMELINES:
        nested = params.object(name)
        key = f"{name}[last_read_id]"
        value = Params({key: nested.get("last_read_id")} if nested is not None else params).id(key)
        if value is not None:
            found[name] = value
    return found


async def save(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:statuses")
    positions = _positions(await read_params(request))
    async with request.app.state.sessions() as session:
        try:
            saved = {name: await save_marker(session, auth.account.actor_id, name, value)
                     for name, value in positions.items()}
            await session.commit()
        except IntegrityError:
            raise HTTPException(409, "Conflict during update, please try again") from None
        return JSONResponse(_json(saved))
