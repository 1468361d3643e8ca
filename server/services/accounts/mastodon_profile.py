"""A member changes their Mastodon-shaped profile: name, note, avatar, header, fields, locked, discoverable,
indexable, bot; or removes their avatar or header. (The professional profile is
server.services.accounts.professional_profile.)"""
from __future__ import annotations

from dataclasses import dataclass

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from federation.text import MentionTarget, render_post
from moderation.errors import ServiceError
from server.db.models import Actor
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.posts import images, media
from server.services.posts.authoring import resolve_mentions

MAX_DISPLAY_NAME = 100  # more than Mastodon's 30: real names with titles and degrees
MAX_NOTE = 500
MAX_FIELDS = 4
MAX_FIELD_CHARS = 255
IMAGES = {"avatar": "icon_url", "header": "header_url"}  # a profile picture -> the actor's column of its URL


@dataclass(frozen=True)
class ProfileChanges:
    """What to change; None leaves a part as it is."""

    display_name: str | None = None
    note: str | None = None
    avatar: bytes | None = None
    header: bytes | None = None
    fields: list[tuple[str, str]] | None = None
    locked: bool | None = None
    discoverable: bool | None = None
    indexable: bool | None = None
    bot: bool | None = None


def _validate(changes: ProfileChanges) -> None:
    if changes.display_name is not None and len(changes.display_name) > MAX_DISPLAY_NAME:
        raise ServiceError(N_("a display name is at most %(limit)s characters"), values={"limit": MAX_DISPLAY_NAME})
    if changes.note is not None and len(changes.note) > MAX_NOTE:
        raise ServiceError(N_("a note is at most %(limit)s characters"), values={"limit": MAX_NOTE})
    if changes.fields is not None:
        if len(changes.fields) > MAX_FIELDS:
            raise ServiceError(N_("a profile has at most %(limit)s fields"), values={"limit": MAX_FIELDS})
        if any(len(n) > MAX_FIELD_CHARS or len(v) > MAX_FIELD_CHARS for n, v in changes.fields):
            raise ServiceError(N_("field names and values are at most %(limit)s characters"),
                               values={"limit": MAX_FIELD_CHARS})
        if any(n.strip().lower() == "verified" for n, _ in changes.fields):
            # the badge's own field for Mastodon users: a member may not type one
            raise ServiceError(N_("the field name 'Verified' is reserved for verified members"))


def _inline(html: str) -> str:
    """A one-line rendering without its paragraph (field values are inline on Mastodon)."""
    return html[3:-4] if html.startswith("<p>") and html.endswith("</p>") else html


async def _image(runtime: Runtime, data: bytes, process) -> str:
    encoded = await anyio.to_thread.run_sync(process, data)
    key = await media.store_file(runtime, encoded.data, encoded.extension)
    return media.file_url(runtime, key, encoded.extension)


async def _note_html(runtime: Runtime, session: AsyncSession, note: str) -> str:
    mentions = await resolve_mentions(runtime, session, note)
    targets = {k: MentionTarget(actor_id=a.uri, profile_url=a.url or a.uri, acct=a.acct) for k, a in mentions.items()}
    return render_post(note, mentions=targets, tag_url=runtime.urls.tag).html


async def update_profile(runtime: Runtime, session: AsyncSession, actor: Actor, changes: ProfileChanges) -> Actor:
    """Apply the changes; the caller queues the actor's Update (server.services.verification.attestations_issued.
    publish_actor_update, which also drops this process's cached copies of it after the commit), and commits."""
    _validate(changes)
    if changes.display_name is not None:
        actor.display_name = changes.display_name.strip()
    if changes.note is not None:
        actor.summary_source = changes.note
        actor.summary = await _note_html(runtime, session, changes.note) if changes.note.strip() else ""
    if changes.avatar is not None:
        actor.icon_url = await _image(runtime, changes.avatar, images.process_avatar)
    if changes.header is not None:
        actor.header_url = await _image(runtime, changes.header, images.process_header)
    if changes.fields is not None:
        actor.fields = [{"name": n.strip(), "source": v.strip(), "value": _inline(render_post(
            v.replace("\n", " "), mentions={}, tag_url=runtime.urls.tag).html)}
            for n, v in changes.fields if n.strip() or v.strip()]
    if changes.locked is not None:
        actor.manually_approves = changes.locked
    if changes.discoverable is not None:
        actor.discoverable = changes.discoverable
    if changes.indexable is not None:
        actor.indexable = changes.indexable
    if changes.bot is not None:
        actor.actor_type = "Service" if changes.bot else "Person"
    actor.updated_at = utcnow()
    await session.flush()
    return actor


async def remove_image(runtime: Runtime, session: AsyncSession, actor: Actor, picture: str) -> bool:
    """Remove the member's avatar or header (`picture`) and its stored file; False when there was none. The caller
    queues the actor's Update and commits, as after update_profile."""
    column = IMAGES[picture]
    url = getattr(actor, column)
    if url is None:
        return False
    setattr(actor, column, None)
    actor.updated_at = utcnow()
    await session.flush()
    if (key := media.storage_key_of_url(runtime, url)) is not None:  # not a remote URL set some other way
        await runtime.storage.delete([key])
    return True
