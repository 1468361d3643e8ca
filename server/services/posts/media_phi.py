"""The patient-privacy guard's look at each upload (moderation.phi.image_scan), stored on the upload.

An upload starts "queued". The scan runs in a worker thread, at most SCANS_AT_ONCE at a time, never on
the event loop: awaited by the v1 upload and the web compose page (which answer with the verdict), or
started in the background by the v2 upload, which answers 202 at once (as Mastodon does while it
processes media); a scan that a restart cut short is started again when the upload is read
(`check_if_stale`). Posting an upload still queued is refused until it is ready.
"""
from __future__ import annotations

import asyncio
import io
import threading
from datetime import timedelta

import anyio
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.phi.blur import blur_boxes
from moderation.phi.image_findings import ImageScan
from server.db.models import Actor, MediaAttachment
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.posts import media as media_service

QUEUED = "queued"
SCANS_AT_ONCE = 2  # CPU-bound: more than the cores only makes each scan slower
STALE = timedelta(seconds=60)  # a scan queued longer than this was lost (a restart): started again
_slots = threading.BoundedSemaphore(SCANS_AT_ONCE)


def _scan_bytes(data: bytes) -> tuple[str, list[dict]]:
    from moderation.phi.image_scan import scan_image  # here: OpenCV and NumPy (~0.2 s) only for a process that scans

    with _slots:
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                scan = scan_image(image)
                size = image.size
        except OSError as exc:
            scan, size = ImageScan("failed", [], f"the stored file could not be read ({type(exc).__name__})"), (0, 0)
    return scan.status, [f.as_json() for f in scan.guard_findings(size)]


async def scan(runtime: Runtime, row: MediaAttachment) -> tuple[str, list[dict]]:
    """The verdict on an upload's stored image: (status, findings as JSON) in a worker thread."""
    data = await runtime.storage.get(media_service.storage_key(row.file_key, row.extension))
    return await anyio.to_thread.run_sync(_scan_bytes, data or b"")  # a file gone reads as "failed"


async def check_now(runtime: Runtime, session: AsyncSession, row: MediaAttachment) -> None:
    """Scan the upload and record the verdict on it (the caller commits)."""
    row.phi_status, row.phi_findings = await scan(runtime, row)


def check_later(runtime: Runtime, row: MediaAttachment) -> None:
    """Scan a committed upload in the background and record the verdict in its own transaction."""
    key = f"media-scan:{row.id}"
    if key in runtime.tasks:
        return
    task = asyncio.get_running_loop().create_task(_check_and_store(runtime, row.id, row.file_key, row.extension))
    runtime.tasks[key] = task
    task.add_done_callback(lambda _: runtime.tasks.pop(key, None))


async def _check_and_store(runtime: Runtime, media_id: int, file_key: str, extension: str) -> None:
    probe = MediaAttachment(id=media_id, file_key=file_key, extension=extension)
    try:
        status, findings = await scan(runtime, probe)
    except Exception as exc:  # noqa: BLE001 - a verdict is stored whatever happened: never left silently
        status, findings = "failed", [{"kind": "unchecked", "box": [0, 0, 0, 0],
                                       "text": f"could not check this image: {type(exc).__name__}"}]
    async with runtime.sessions() as session:
        await session.execute(update(MediaAttachment).where(MediaAttachment.id == media_id)
                              .values(phi_status=status, phi_findings=findings))
        await session.commit()


def check_if_stale(runtime: Runtime, row: MediaAttachment) -> None:
    """Start the scan again of an upload queued for longer than STALE and not being scanned here."""
    if row.phi_status == QUEUED and row.created_at < utcnow() - STALE:
        check_later(runtime, row)


def blur_areas(row: MediaAttachment) -> list[tuple[int, int, int, int]]:
    """What blurring the upload covers: each face, and each whole block of text with a finding in it."""
    return list(dict.fromkeys(tuple(f.get("area") or f["box"]) for f in row.phi_findings if f["kind"] != "unchecked"))


async def blurred_copy(runtime: Runtime, session: AsyncSession, owner: Actor, row: MediaAttachment,
                       boxes: list[tuple[int, int, int, int]]) -> MediaAttachment:
    """A new upload of the owner's: `row`'s image with `boxes` blurred, checked again before it is returned."""
    original = await media_service.read_file(runtime, row)
    data = await anyio.to_thread.run_sync(_blurred_bytes, original, boxes)
    copy = await media_service.upload(runtime, session, owner, data, description=row.description,
                                      focus=(row.focus_x, row.focus_y))
    await check_now(runtime, session, copy)
    return copy


def _blurred_bytes(original: bytes, boxes: list) -> bytes:
    with Image.open(io.BytesIO(original)) as image:
        image.load()
        blurred = blur_boxes(image.convert("RGB"), boxes)
    out = io.BytesIO()
    blurred.save(out, format="PNG")  # lossless: the upload path re-encodes it as it does every image
    return out.getvalue()
