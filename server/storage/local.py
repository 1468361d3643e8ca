"""Storage on the local disk, under the data directory (the default): media readable by the web server,
evidence in a folder of mode 0700, files of mode 0600."""
from __future__ import annotations

import os
from pathlib import Path
from typing import AsyncIterator

import anyio

from server.storage import is_public, valid_key


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        if not valid_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await anyio.to_thread.run_sync(_write, self.path(key), data, is_public(key))

    async def get(self, key: str) -> bytes | None:
        return await anyio.to_thread.run_sync(_read, self.path(key))

    async def size(self, key: str) -> int | None:
        return await anyio.to_thread.run_sync(_size, self.path(key))

    async def delete(self, keys: list[str]) -> None:
        await anyio.to_thread.run_sync(_unlink, [self.path(key) for key in keys])

    async def listing(self, prefix: str) -> AsyncIterator[tuple[str, int]]:
        """(key, size) of every stored file whose key starts with `prefix`."""
        for key, size in await anyio.to_thread.run_sync(_walk, self.root, prefix):
            yield key, size

    def public_url(self, key: str) -> str | None:
        return None  # the app serves the media folder itself (server.web.media_files)


def _write(path: Path, data: bytes, public: bool) -> None:
    path.parent.mkdir(mode=0o755 if public else 0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644 if public else 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(temporary, path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _size(path: Path) -> int | None:
    return path.stat().st_size if path.is_file() else None


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _walk(root: Path, prefix: str) -> list[tuple[str, int]]:
    found = []
    for path in sorted((root / prefix.split("/", 1)[0]).rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_file() and key.startswith(prefix) and valid_key(key):
            found.append((key, path.stat().st_size))
    return found
