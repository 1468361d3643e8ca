"""Remote media served from our storage, as Mastodon does: other servers' attachments, avatars and headers are
linked by a local URL (server.urls.LocalUrls.remote_media) and fetched on first view, not at ingest, so that
taking in a post stays one database write (the worker never waits on a slow media host, and files nobody looks
at are never fetched). The fetch goes through the SSRF guard (the runtime's guarded client), only from hosts whose
domain policy lets us fetch media, of a media type we accept, up to the upload size cap; still images are decoded,
stripped and re-encoded as local uploads are. The copy is stored through the Storage interface (local disk or S3)
and dated (`RemoteMedia.fetched_at`); `prune` removes old copies, which the next view fetches again."""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import anyio
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from federation.fetch import Fetcher, FetchError
from moderation.errors import Kind, ServiceError
from server.caches import Bounded
from server.db.models import Post, RemoteMedia
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.i18n import N_
from server.runtime import Runtime
from server.services.posts import images

# Still images we re-encode; GIFs are kept as sent (re-encoding would stop their animation).
STILL = {"image/jpeg", "image/png", "image/webp"}
KEPT_AS_SENT = {"image/gif": "gif", "video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov",
                "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/wav": "wav", "audio/x-wav": "wav",
                "audio/mp4": "m4a", "audio/aac": "aac", "audio/flac": "flac", "audio/webm": "weba"}
PRUNE_BATCH = 500
# A copy whose post was deleted (withdrawn): never served or fetched again; `prune` removes its file at once and
# keeps the row as the mark.
GONE = "gone"
MAX_IN_FLIGHT = 1_000  # fetches under way in a process, shared by the viewers who ask meanwhile


class RemoteMediaUnavailable(Exception):
    """The remote server did not give us an acceptable file; str() is why."""


@dataclass(frozen=True)
class Copy:
    key: str
    media_type: str
    data: bytes | None  # None when served from a public URL instead (public_url)
    public_url: str | None = None


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _accepted(media_type: str) -> bool:
    return media_type in STILL or media_type in KEPT_AS_SENT


class _MediaFetcher(Fetcher):
    """Refuses, at every redirect too, hosts whose domain policy forbids fetching or rejects media."""

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.policies = policies

    def check_hop(self, url: str) -> None:
        refusal = media_refusal(self.policies, url)
        if refusal:
            raise FetchError(refusal, status=403)


def media_refusal(policies, url: str) -> str | None:
    decision = policies.effective(urlsplit(url).netloc.lower())
    if not decision.fetch or not decision.accept_media:
        return f"media from {urlsplit(url).hostname} are not accepted here ({decision.reason})"
    return None


async def local_copy(runtime: Runtime, url: str) -> Copy:
    """Our copy of the remote file `url`, fetched and stored now if we have none (or it was pruned). Raises
    ServiceError (forbidden) for a host whose media we refuse, RemoteMediaUnavailable if the fetch fails."""
    policies = await runtime.policies.get()
    refusal = media_refusal(policies, url)
    if refusal:  # checked before the stored copy too: a host blocked since is not served from the cache either
        raise ServiceError(refusal, Kind.FORBIDDEN)
    async with runtime.sessions() as session:
        row = await session.get(RemoteMedia, url_hash(url))
    if row is not None and row.media_type == GONE:
        raise ServiceError(N_("no such media (its post was deleted)"), Kind.NOT_FOUND)
    if row is not None:
        public = runtime.storage.public_url(row.file_key)
        if public:
            return Copy(row.file_key, row.media_type, None, public)
        data = await runtime.storage.get(row.file_key)
        if data is not None:
            return Copy(row.file_key, row.media_type, data)
    return await _fetch_once(runtime, url, policies)


async def _fetch_once(runtime: Runtime, url: str, policies) -> Copy:
    """One fetch per file at a time in this process: a new post's photo, seen by many members at once, is fetched
    once and every viewer waits for that fetch (shielded: a viewer who leaves does not cancel it for the others)."""
    in_flight = runtime.caches.use("remote_media_fetches", lambda: Bounded(MAX_IN_FLIGHT, ttl=120.0))
    digest = url_hash(url)
    task = in_flight.get(digest)
    if task is None:
        task = asyncio.ensure_future(_fetch_and_store(runtime, url, policies))
        in_flight.put(digest, task)
        task.add_done_callback(lambda _: in_flight.forget(digest))
    return await asyncio.shield(task)


async def _fetch_and_store(runtime: Runtime, url: str, policies) -> Copy:
    settings = runtime.settings
    fetcher = _MediaFetcher(runtime.http, allow_http=settings.allow_http,
                            allow_private=settings.allow_private_addresses, timeout=30.0, policies=policies)
    try:
        fetched = await fetcher.get_media(url, _accepted, settings.max_upload_bytes)
    except FetchError as exc:
        raise RemoteMediaUnavailable(f"could not fetch {url[:200]}: {exc.reason}") from None
    media_type, extension, data = await _cleaned(fetched.media_type, fetched.data)
    digest = url_hash(url)
    key = f"media/remote/{digest[:2]}/{digest[2:34]}.{extension}"
    await runtime.storage.put(key, data, media_type)
    await _record(runtime, RemoteMedia(url_hash=digest, url=url, domain=(urlsplit(url).hostname or "")[:255],
                                       file_key=key, media_type=media_type, size=len(data), fetched_at=utcnow()))
    return Copy(key, media_type, data)


async def _cleaned(media_type: str, data: bytes) -> tuple[str, str, bytes]:
    if media_type not in STILL:
        return media_type, KEPT_AS_SENT[media_type], data
    try:
        encoded = await anyio.to_thread.run_sync(images.process_remote, data)
    except ServiceError as exc:  # sent as an image, but not one we can read
        raise RemoteMediaUnavailable(f"the remote file is not a usable image: {exc.message}") from None
    return encoded.media_type, encoded.extension, encoded.data


async def _record(runtime: Runtime, row: RemoteMedia) -> None:
    """Insert or refresh the row: another process may have stored the same file a moment ago."""
    async with runtime.sessions() as session:
        existing = await session.get(RemoteMedia, row.url_hash)
        if existing is None:
            session.add(row)
        elif existing.media_type == GONE:  # its post was deleted during the fetch: prune takes the file
            existing.file_key, existing.size = row.file_key, row.size
        else:
            for name in ("file_key", "media_type", "size", "fetched_at"):
                setattr(existing, name, getattr(row, name))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # the other process's row names the same key: nothing to add


async def withdraw(session: AsyncSession, urls: list[str]) -> None:
    """Mark the copies of `urls` (a deleted remote post's attachments) as gone, fetched or not, so that their
    signed local URLs are never served nor fetched again; `prune` deletes their files. Attachment URLs are the
    post's own in practice (Mastodon, Lemmy, ... give each upload its own address), so no other post is looked
    for. The caller commits."""
    rows = {url_hash(url): url for url in urls if isinstance(url, str) and url.startswith(("https://", "http://"))}
    if not rows:
        return
    await session.execute(update(RemoteMedia).where(RemoteMedia.url_hash.in_(list(rows)))
                          .values(media_type=GONE, fetched_at=utcnow()),
                          execution_options={"synchronize_session": False})
    await insert_ignore(session, RemoteMedia, [
        {"url_hash": digest, "url": url, "domain": (urlsplit(url).hostname or "")[:255], "file_key": "",
         "media_type": GONE, "size": 0, "fetched_at": utcnow()} for digest, url in rows.items()])


async def withdraw_posts_of(session: AsyncSession, authors) -> None:
    """Withdraw the copies of the attachments of every post by `authors` (a subquery of actor ids), whose posts are
    being purged (a suspended account or domain, a deleted account): their files go at the next prune, wherever
    the files were hosted. A page at a time: a domain can have many posts."""
    last = 0
    while True:
        page = (await session.execute(select(Post.id, Post.attachments).where(Post.author_id.in_(authors),
                                                                              Post.id > last)
                                      .order_by(Post.id).limit(PRUNE_BATCH))).all()
        if not page:
            return
        last = page[-1][0]
        await withdraw(session, [item.get("url") for _, items in page for item in items or ()
                                 if isinstance(item, dict)])


@dataclass(frozen=True)
class Pruned:
    files: int = 0
    bytes: int = 0


async def prune(runtime: Runtime, older_than: timedelta) -> Pruned:
    """Remove the copies fetched more than `older_than` ago, from storage and their rows, a batch at a time; and
    the files of withdrawn copies (GONE) whatever their age, keeping their rows as the mark."""
    cutoff, files, freed = utcnow() - older_than, 0, 0
    while True:
        async with runtime.sessions() as session:
            gone = (await session.execute(select(RemoteMedia.url_hash, RemoteMedia.file_key, RemoteMedia.size)
                                          .where(RemoteMedia.media_type == GONE, RemoteMedia.file_key != "")
                                          .limit(PRUNE_BATCH))).all()
            if gone:
                await runtime.storage.delete([key for _, key, _ in gone])
                await session.execute(update(RemoteMedia).where(RemoteMedia.url_hash.in_([h for h, _, _ in gone]))
                                      .values(file_key="", size=0))
                await session.commit()
                files, freed = files + len(gone), freed + sum(size for _, _, size in gone)
                continue
            batch = (await session.execute(select(RemoteMedia.url_hash, RemoteMedia.file_key, RemoteMedia.size)
                                           .where(RemoteMedia.fetched_at < cutoff, RemoteMedia.media_type != GONE)
                                           .limit(PRUNE_BATCH))).all()
            if not batch:
                return Pruned(files, freed)
            await runtime.storage.delete([key for _, key, _ in batch])
            await session.execute(delete(RemoteMedia).where(RemoteMedia.url_hash.in_([h for h, _, _ in batch]),
                                                            RemoteMedia.fetched_at < cutoff,
                                                            RemoteMedia.media_type != GONE))
            await session.commit()
        files, freed = files + len(batch), freed + sum(size for _, _, size in batch)
