"""GET /media/remote/{signature}/{encoded}: other servers' media, served from our copy (fetched on first view by
server.services.federation.remote_media). Only URLs we handed out (signed with the instance's secret key) are
served: nobody can make us fetch an address of their choosing."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.services.federation.remote_media import RemoteMediaUnavailable, local_copy
from server.storage.responses import REVOCABLE
from server.urls import remote_media_url


async def remote_media(request: Request) -> Response:
    runtime = request.app.state.runtime
    url = remote_media_url(runtime.settings.secret_key, request.path_params["signature"],
                           request.path_params["encoded"])
    if url is None:
        raise HTTPException(404, "no such media (the address is not one this server gave out)")
    try:
        copy = await local_copy(runtime, url)  # a refused host is a ServiceError: 403, by server.errors
    except RemoteMediaUnavailable as exc:
        raise HTTPException(502, str(exc)) from None
    if copy.public_url:
        return RedirectResponse(copy.public_url, status_code=302)
    return Response(copy.data, media_type=copy.media_type, headers=REVOCABLE)
