"""Storage in an S3 bucket (AWS S3 or any S3-compatible store: MinIO, Garage, Ceph RGW, R2) through boto3.

boto3 is blocking: every call runs in a worker thread (its clients are thread-safe), never on the event loop.
Objects are written without an ACL, so they are as private as the bucket; CURBSIDE_MEDIA_PUBLIC_URL names
where the media/ prefix is public (a CDN, or a bucket policy granting read on media/* only), and evidence
never gets a URL.
"""
from __future__ import annotations

from typing import AsyncIterator

import anyio
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from server.settings import Settings
from server.storage import is_public, valid_key

_MISSING = {"404", "NoSuchKey", "NotFound"}
_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class S3Storage:
    def __init__(self, bucket: str, public_base: str, client_options: dict):
        self.bucket, self.public_base, self.client_options = bucket, public_base, client_options
        self._client = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3Storage":
        options = {"endpoint_url": settings.s3_endpoint or None, "region_name": settings.s3_region or None,
                   "aws_access_key_id": settings.s3_access_key_id or None,
                   "aws_secret_access_key": settings.s3_secret_access_key or None,
                   # path-style URLs and checksums only where required: what every S3-compatible store accepts
                   "config": Config(s3={"addressing_style": "path" if settings.s3_endpoint else "auto"},
                                    request_checksum_calculation="when_required",
                                    response_checksum_validation="when_required",
                                    retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                                    read_timeout=30)}
        return cls(settings.s3_bucket, settings.media_public_url, options)

    @property
    def client(self):
        if self._client is None:
            self._client = boto3.session.Session().client("s3", **self.client_options)
        return self._client

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        _check(key)
        await anyio.to_thread.run_sync(lambda: self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type))

    async def get(self, key: str) -> bytes | None:
        _check(key)
        return await anyio.to_thread.run_sync(self._get, key)

    def _get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    async def size(self, key: str) -> int | None:
        _check(key)
        return await anyio.to_thread.run_sync(self._size, key)

    def _size(self, key: str) -> int | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            _check(key)
        for start in range(0, len(keys), _DELETE_BATCH):
            objects = [{"Key": key} for key in keys[start:start + _DELETE_BATCH]]
            await anyio.to_thread.run_sync(lambda: self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}))

    async def listing(self, prefix: str) -> AsyncIterator[tuple[str, int]]:
        """(key, size) of every object whose key starts with `prefix`, a page of up to 1,000 at a time."""
        token = None
        while True:
            page = await anyio.to_thread.run_sync(self._page, prefix, token)
            for item in page.get("Contents", []):
                yield item["Key"], item["Size"]
            token = page.get("NextContinuationToken")
            if not token:
                return

    def _page(self, prefix: str, token: str | None) -> dict:
        extra = {"ContinuationToken": token} if token else {}
        return self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **extra)

    def public_url(self, key: str) -> str | None:
        return f"{self.public_base}/{key}" if self.public_base and is_public(key) else None


def _check(key: str) -> None:
    if not valid_key(key):
        raise ValueError(f"not a storage key: {key!r}")


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING
