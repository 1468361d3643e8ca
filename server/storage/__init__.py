"""Where media and verification evidence live: one interface, two backends.

A stored file is named by a key relative to the data directory: `media/<xx>/<name>.<ext>` (uploads, their
previews, avatars, headers, the instance's images: public) or `evidence/<name>.<ext>` (verification evidence:
private, read only through the application by staff, never given a public URL). `local` keeps them under
CURBSIDE_DATA_DIR as before; `s3` puts them in a bucket under the same keys and still reads what
`curbside media migrate` has not copied yet from the local disk (server.storage.fallback).
"""
from __future__ import annotations

import re
from typing import AsyncIterator, Protocol

from server.settings import Settings

PUBLIC_PREFIX = "media/"
PRIVATE_PREFIX = "evidence/"
_KEY = re.compile(r"^(media|evidence)/[0-9a-z][0-9a-z_/-]{0,200}(\.[0-9a-z]{1,8})?$")  # ours are ~50 characters


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def size(self, key: str) -> int | None: ...

    async def delete(self, keys: list[str]) -> None: ...

    def listing(self, prefix: str) -> AsyncIterator[tuple[str, int]]: ...

    def public_url(self, key: str) -> str | None: ...


def valid_key(key: str) -> bool:
    """A key of ours: under media/ or evidence/, no `..`, no hidden or partial files."""
    return bool(_KEY.match(key)) and "//" not in key


def is_public(key: str) -> bool:
    return key.startswith(PUBLIC_PREFIX)


def open_storage(settings: Settings) -> Storage:
    """The storage CURBSIDE_MEDIA_STORAGE names (its S3 client is made once, on first use)."""
    from server.storage.local import LocalStorage

    local = LocalStorage(settings.data_dir)
    if settings.media_storage == "local":
        return local
    from server.storage.fallback import WithLocalFallback
    from server.storage.s3 import S3Storage

    return WithLocalFallback(S3Storage.from_settings(settings), local)
