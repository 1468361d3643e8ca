"""Stored files as HTTP responses: public media (immutable, sandboxed) and private downloads (never cached)."""
from __future__ import annotations

import mimetypes
from urllib.parse import quote

from starlette.responses import Response

SANDBOX = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}
# A file never changes under its name (a new upload gets a new one), so caches may keep it for good.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable", **SANDBOX}
# Other servers' media: a day, so that a deleted post's copies stop being served from caches soon after.
REVOCABLE = {"Cache-Control": "public, max-age=86400", **SANDBOX}


def media_response(key: str, data: bytes) -> Response:
    return Response(data, media_type=mimetypes.guess_type(key)[0] or "application/octet-stream", headers=IMMUTABLE)


def download_response(data: bytes, media_type: str, filename: str) -> Response:
    """An attachment to save, never shown inline nor kept by a cache (the filename encoded as Starlette does)."""
    quoted = quote(filename)
    named = f"filename*=utf-8''{quoted}" if quoted != filename else f'filename="{filename}"'
    return Response(data, media_type=media_type, headers={"Content-Disposition": f"attachment; {named}",
                                                          "Cache-Control": "no-store", **SANDBOX})
