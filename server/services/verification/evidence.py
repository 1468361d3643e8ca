"""Evidence files members attach to verification requests: stored privately (server.storage: never public,
read only by staff through the application), identified by their SHA-256 (which the audit log keeps), deleted
once the request is decided unless the admin set a retention period."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ServiceError
from server.i18n import N_
from server.settings import Settings
from server.storage import PRIVATE_PREFIX, Storage, valid_key

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
# Magic numbers: the declared type must match what the bytes are.
_MAGIC = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
          "image/webp": (b"RIFF",)}


@dataclass(frozen=True)
class StoredEvidence:
    path: str  # the storage key, evidence/<random>.<ext>
    name: str
    content_type: str
    sha256: str
    size: int


async def store_evidence(storage: Storage, settings: Settings, data: bytes, filename: str | None,
                         content_type: str | None) -> StoredEvidence:
    """Store the file privately and return where it is and its hash; ServiceError if refused."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise ServiceError(N_("evidence must be a PDF, PNG, JPEG or WebP file"))
    if not data:
        raise ServiceError(N_("the evidence file is empty"))
    if len(data) > settings.max_upload_bytes:
        raise ServiceError(N_("the evidence file is larger than %(limit)s bytes"),
                           values={"limit": settings.max_upload_bytes})
    if not data.startswith(_MAGIC[kind]):
        raise ServiceError(N_("the file is not a %(type)s file"), values={"type": ALLOWED_TYPES[kind][1:].upper()})
    key = f"{PRIVATE_PREFIX}{secrets.token_hex(16)}{ALLOWED_TYPES[kind]}"
    await storage.put(key, data, kind)
    name = Path(filename or "evidence").name[:200] or "evidence"
    return StoredEvidence(key, name, kind, hashlib.sha256(data).hexdigest(), len(data))


def _key(relative: str | None) -> str | None:
    return relative if relative and relative.startswith(PRIVATE_PREFIX) and valid_key(relative) else None


async def read_evidence(storage: Storage, relative: str | None) -> bytes | None:
    """The stored file's bytes, if it still exists (and the name is one of the evidence folder's)."""
    key = _key(relative)
    return await storage.get(key) if key else None


async def evidence_exists(storage: Storage, relative: str | None) -> bool:
    key = _key(relative)
    return bool(key) and await storage.size(key) is not None


async def delete_evidence(storage: Storage, relative: str | None) -> bool:
    if not await evidence_exists(storage, relative):
        return False
    await storage.delete([relative])
    return True
