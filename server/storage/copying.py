"""Copying the local disk's media and evidence into the bucket (`curbside media migrate --to s3`).

Resumable: an object already in the bucket with the same size is skipped, so a run cut short is started again
and goes on where it stopped. No downtime: the application reads through server.storage.fallback meanwhile,
the bucket first and then the disk, so every file stays readable before, during and after the copy. The local
files are left in place; remove them once the copy is checked.
"""
from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from typing import Callable

from server.storage import PRIVATE_PREFIX, PUBLIC_PREFIX, Storage
from server.storage.local import LocalStorage

AT_ONCE = 8  # uploads in flight: S3 latency, not bandwidth, bounds a copy of many small files


@dataclass
class Copied:
    copied: int = 0
    skipped: int = 0
    bytes: int = 0


async def copy_to(target: Storage, local: LocalStorage, progress: Callable[[str], None]) -> Copied:
    """Copy every local file the target lacks (or holds with another size); `progress` is told of each."""
    result = Copied()
    for prefix in (PUBLIC_PREFIX, PRIVATE_PREFIX):
        there = {key: size async for key, size in target.listing(prefix)}
        files = [(key, size) async for key, size in local.listing(prefix)]
        wanted = [(key, size) for key, size in files if there.get(key) != size]
        result.skipped += len(files) - len(wanted)
        for start in range(0, len(wanted), AT_ONCE):
            batch = wanted[start:start + AT_ONCE]
            await asyncio.gather(*(_copy_one(target, local, key) for key, _ in batch))
            for number, (key, size) in enumerate(batch, start + 1):
                result.copied, result.bytes = result.copied + 1, result.bytes + size
                progress(f"{number}/{len(wanted)} {key} ({size} bytes)")
    return result


async def _copy_one(target: Storage, local: LocalStorage, key: str) -> None:
    data = await local.get(key)
    if data is not None:  # removed meanwhile (an upload expired): nothing to copy
        await target.put(key, data, mimetypes.guess_type(key)[0] or "application/octet-stream")
