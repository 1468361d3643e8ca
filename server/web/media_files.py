"""Serving public media at /media/...: from the data directory with Starlette's StaticFiles (which keeps paths
inside it and answers conditional requests), or, with object storage, read through server.storage (the bucket,
then the local disk until `curbside media migrate` has copied everything) when no public URL serves them.
Only keys under media/ are ever served here: evidence is not reachable by any path."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.settings import Settings
from server.storage import PUBLIC_PREFIX, valid_key
from server.storage.responses import IMMUTABLE, media_response


class MediaFiles(StaticFiles):
    """Browsers must not sniff a file into anything else, nor run anything from it."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(IMMUTABLE)
        return response


async def stored_media(request: Request) -> Response:
    key = PUBLIC_PREFIX + request.path_params["path"]
    data = await request.app.state.runtime.storage.get(key) if valid_key(key) else None
    if data is None:
        return PlainTextResponse("Not Found", status_code=404)
    return media_response(key, data)


def media_route(settings: Settings) -> BaseRoute:
    if settings.media_storage == "local":
        return Mount("/media", MediaFiles(directory=settings.media_dir, check_dir=False), name="media")
    return Route("/media/{path:path}", stored_media, methods=["GET", "HEAD"], name="media")
