"""Serving uploaded media from settings.media_dir at /media/... (Starlette's StaticFiles keeps paths inside
the directory and answers conditional requests)."""
from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles


class MediaFiles(StaticFiles):
    """A file never changes under its name (a new upload gets a new one), so caches may keep it for good;
    browsers must not sniff it into anything else, nor run anything from it."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
