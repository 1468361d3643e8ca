"""S3 with the local disk behind it while `curbside media migrate` runs: writes go to the bucket, reads look
in the bucket first and then on the disk, deletes clear both. No downtime: nothing is unreadable meanwhile."""
from __future__ import annotations

from typing import AsyncIterator

from server.storage.local import LocalStorage
from server.storage.s3 import S3Storage


class WithLocalFallback:
    def __init__(self, primary: S3Storage, local: LocalStorage):
        self.primary, self.local = primary, local

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self.primary.put(key, data, content_type)

    async def get(self, key: str) -> bytes | None:
        found = await self.primary.get(key)
        return found if found is not None else await self.local.get(key)

    async def size(self, key: str) -> int | None:
        found = await self.primary.size(key)
        return found if found is not None else await self.local.size(key)

    async def delete(self, keys: list[str]) -> None:
        await self.primary.delete(keys)
        await self.local.delete(keys)

    def listing(self, prefix: str) -> AsyncIterator[tuple[str, int]]:
        return self.primary.listing(prefix)

    def public_url(self, key: str) -> str | None:
        return self.primary.public_url(key)
