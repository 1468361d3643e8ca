"""Evidence files members attach to verification requests: stored privately under the data directory,
identified by their SHA-256 (which the audit log keeps), deleted once the request is decided unless the
admin set a retention period."""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ServiceError
from server.settings import Settings

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
# Magic numbers: the declared type must match what the bytes are.
_MAGIC = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
          "image/webp": (b"RIFF",)}
FOLDER = "evidence"


@dataclass(frozen=True)
class StoredEvidence:
    path: str  # relative to the data directory
    name: str
    content_type: str
    sha256: str
    size: int


def store_evidence(settings: Settings, data: bytes, filename: str | None, content_type: str | None) -> StoredEvidence:
    """Write the file (mode 0600) and return where it is and its hash; ServiceError if refused."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise ServiceError("evidence must be a PDF, PNG, JPEG or WebP file")
    if not data:
        raise ServiceError("the evidence file is empty")
    if len(data) > settings.max_upload_bytes:
        raise ServiceError(f"the evidence file is larger than {settings.max_upload_bytes} bytes")
    if not data.startswith(_MAGIC[kind]):
        raise ServiceError(f"the file is not a {ALLOWED_TYPES[kind][1:].upper()} file")
    folder = settings.data_dir / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    relative = f"{FOLDER}/{secrets.token_hex(16)}{ALLOWED_TYPES[kind]}"
    fd = os.open(settings.data_dir / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    name = Path(filename or "evidence").name[:200] or "evidence"
    return StoredEvidence(relative, name, kind, hashlib.sha256(data).hexdigest(), len(data))


def evidence_file(settings: Settings, relative: str | None) -> Path | None:
    """The stored file, if it still exists and lies inside the evidence folder."""
    if not relative:
        return None
    path = (settings.data_dir / relative).resolve()
    if path.parent != (settings.data_dir / FOLDER).resolve() or not path.is_file():
        return None
    return path


def delete_evidence(settings: Settings, relative: str | None) -> bool:
    path = evidence_file(settings, relative)
    if path is None:
        return False
    path.unlink(missing_ok=True)
    return True
