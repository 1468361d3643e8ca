"""Members' uploads: stored with unguessable names (server.storage), described, focused, and claimed by at
most one post each.

A file is stored as media/<first two characters of its key>/<key>[_small].<ext> and is served at
/media/<same path> (or under CURBSIDE_MEDIA_PUBLIC_URL). Post.attachments keeps a copy of what federation and
apps need, in the shape server.convert.post_to_as reads: {"id", "type", "url", "preview_url", "media_type",
"description", "blurhash", "width", "height", "preview_width", "preview_height", "focal_point"}.
"""
from __future__ import annotations

import mimetypes
import re
import secrets
from datetime import timedelta

import anyio
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.ids import snowflake
from server.db.models import Actor, MediaAttachment
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.posts import images
from server.storage import PUBLIC_PREFIX, is_public, valid_key

MAX_ATTACHMENTS = 4
MAX_DESCRIPTION = 1500
UNATTACHED_TTL = timedelta(days=1)
_KEY = re.compile(r"^[0-9a-f]{32}$")


def parse_focus(raw: object) -> tuple[float, float]:
    """Mastodon's `focus=x,y`, each from -1.0 to 1.0 (0,0 is the centre)."""
    try:
        x, y = (float(part) for part in str(raw).split(","))
    except ValueError:
        raise ServiceError(N_("focus must be two numbers x,y from -1.0 to 1.0")) from None
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise ServiceError(N_("focus must be two numbers x,y from -1.0 to 1.0"))
    return x, y


def check_description(text: object) -> str | None:
    if text is None or text == "":
        return None
    if not isinstance(text, str) or len(text) > MAX_DESCRIPTION:
        raise ServiceError(N_("a description is text of at most %(limit)s characters"),
                           values={"limit": MAX_DESCRIPTION})
    return text


def relative_path(key: str, extension: str, small: bool = False) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a media key: {key!r}")
    return f"{key[:2]}/{key}{'_small' if small else ''}.{extension}"


def storage_key(key: str, extension: str, small: bool = False) -> str:
    return f"{PUBLIC_PREFIX}{relative_path(key, extension, small)}"


def file_url(runtime: Runtime, key: str, extension: str, small: bool = False) -> str:
    stored = storage_key(key, extension, small)
    return runtime.storage.public_url(stored) or f"{runtime.settings.base_url}/{stored}"


def storage_key_of_url(runtime: Runtime, url: str | None) -> str | None:
    """The storage key of one of our media URLs (served by the app or under the public URL), else None."""
    for base in filter(None, (runtime.settings.base_url, runtime.settings.media_public_url)):
        key = url[len(base) + 1:] if url and url.startswith(base + "/") else ""
        if is_public(key) and valid_key(key):
            return key
    return None


async def read_file(runtime: Runtime, row: MediaAttachment) -> bytes:
    data = await runtime.storage.get(storage_key(row.file_key, row.extension))
    if data is None:
        raise ServiceError(N_("the stored file of this upload is gone"), Kind.NOT_FOUND)
    return data


async def store_file(runtime: Runtime, data: bytes, encoded_ext: str, key: str | None = None,
                     small: bool = False) -> str:
    """Store the bytes as a media file; returns the key (a new random one unless given)."""
    key = key or secrets.token_hex(16)
    content_type = mimetypes.guess_type(f"x.{encoded_ext}")[0] or "application/octet-stream"
    await runtime.storage.put(storage_key(key, encoded_ext, small), data, content_type)
    return key


async def upload(runtime: Runtime, session: AsyncSession, owner: Actor, data: bytes, *,
                 description: str | None = None, focus: tuple[float, float] = (0.0, 0.0)) -> MediaAttachment:
    """Clean and store an uploaded image (raises ServiceError for anything else); the caller commits."""
    processed = await anyio.to_thread.run_sync(images.process_upload, data)
    original, small = processed.original, processed.small
    key = await store_file(runtime, original.data, original.extension)
    await store_file(runtime, small.data, small.extension, key=key, small=True)
    row = MediaAttachment(id=snowflake(), account_id=owner.id, file_key=key, extension=original.extension,
                          media_type=original.media_type, width=original.width, height=original.height,
                          small_width=small.width, small_height=small.height, size=len(original.data),
                          blurhash=processed.blurhash, description=description, focus_x=focus[0], focus_y=focus[1],
                          created_at=utcnow())
    session.add(row)
    await session.flush()
    return row


def attachment_json(runtime: Runtime, row: MediaAttachment) -> dict:
    """The attachment as Post.attachments stores it (and server.convert reads it)."""
    return {"id": str(row.id), "type": "Document", "url": file_url(runtime, row.file_key, row.extension),
            "preview_url": file_url(runtime, row.file_key, row.extension, small=True),
            "media_type": row.media_type, "description": row.description, "blurhash": row.blurhash,
            "width": row.width, "height": row.height, "preview_width": row.small_width,
            "preview_height": row.small_height, "focal_point": [row.focus_x, row.focus_y]}


async def own_unattached(session: AsyncSession, owner: Actor, media_id: int) -> MediaAttachment:
    """A member's upload not yet in a post (as Mastodon, only those can be read back or changed)."""
    row = await session.get(MediaAttachment, media_id)
    if row is None or row.account_id != owner.id or row.post_id is not None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return row


async def claimable(session: AsyncSession, owner: Actor, ids: list[int], post_id: int | None = None
                    ) -> list[MediaAttachment]:
    """The uploads for a post, in the order given: the owner's, unattached (or already on `post_id`)."""
    if len(ids) > MAX_ATTACHMENTS:
        raise ServiceError(N_("a post has at most %(limit)s attachments"), values={"limit": MAX_ATTACHMENTS})
    if len(set(ids)) != len(ids):
        raise ServiceError(N_("the same attachment is given twice"))
    rows = {r.id: r for r in (await session.execute(select(MediaAttachment).where(
        MediaAttachment.id.in_(ids)))).scalars()} if ids else {}
    for media_id in ids:
        row = rows.get(media_id)
        if row is None or row.account_id != owner.id or row.post_id not in (None, post_id) or row.scheduled_id:
            raise ServiceError(N_("media %(id)s is not an unattached upload of yours"), values={"id": str(media_id)})
    return [rows[i] for i in ids]


async def attach(session: AsyncSession, rows: list[MediaAttachment], post_id: int) -> None:
    """Claim the uploads for `post_id`; refuses those another post claimed meanwhile."""
    for row in rows:
        result = await session.execute(update(MediaAttachment).where(
            MediaAttachment.id == row.id, (MediaAttachment.post_id.is_(None)) | (MediaAttachment.post_id == post_id))
            .values(post_id=post_id).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise ServiceError(N_("media %(id)s was attached to another post meanwhile"), values={"id": str(row.id)})


async def detach_others(session: AsyncSession, post_id: int, keep: list[int]) -> None:
    """After an edit: uploads no longer on the post become unattached (and expire like any other)."""
    await session.execute(update(MediaAttachment).where(MediaAttachment.post_id == post_id,
                                                        MediaAttachment.id.not_in(keep or [0]))
                          .values(post_id=None, created_at=utcnow()).execution_options(synchronize_session=False))


async def reserve(session: AsyncSession, rows: list[MediaAttachment], scheduled_id: int) -> None:
    """Keep the uploads for a scheduled post (claimable by no post meanwhile, never expired)."""
    for row in rows:
        result = await session.execute(update(MediaAttachment).where(
            MediaAttachment.id == row.id, MediaAttachment.post_id.is_(None), MediaAttachment.scheduled_id.is_(None))
            .values(scheduled_id=scheduled_id).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise ServiceError(N_("media %(id)s was attached to another post meanwhile"), values={"id": str(row.id)})


async def release(session: AsyncSession, scheduled_id: int) -> None:
    """The scheduled post's uploads are unattached again (to be claimed by its post, or to expire like any other)."""
    await session.execute(update(MediaAttachment).where(MediaAttachment.scheduled_id == scheduled_id)
                          .values(scheduled_id=None, created_at=utcnow()).execution_options(synchronize_session=False))


async def remove_stale(runtime: Runtime, session: AsyncSession, limit: int = 100) -> int:
    """Delete unattached uploads older than UNATTACHED_TTL with their files; the caller commits."""
    cutoff = utcnow() - UNATTACHED_TTL
    rows = list((await session.execute(select(MediaAttachment).where(
        MediaAttachment.post_id.is_(None), MediaAttachment.scheduled_id.is_(None), MediaAttachment.created_at < cutoff)
        .limit(limit))).scalars())
    keys = []
    for row in rows:  # one by one: a row a post claimed since the select stays, files and all
        result = await session.execute(delete(MediaAttachment).where(
            MediaAttachment.id == row.id, MediaAttachment.post_id.is_(None), MediaAttachment.scheduled_id.is_(None)))
        if result.rowcount == 1:
            keys += [storage_key(row.file_key, row.extension, small) for small in (False, True)]
    await runtime.storage.delete(keys)
    return len(keys) // 2
