"""Announcements: admins tell every member something (from the command line or the admin pages); members read
them in their apps (GET /api/v1/announcements), dismiss them and react with an emoji. A new announcement that is
already in force is streamed to members' `user` streams as an `announcement` event; its deletion as
`announcement.delete`."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.text import render_post
from moderation.errors import Kind, ServiceError
from server.convert.announcement_to_mastodon import announcement_to_mastodon
from server.db.ids import snowflake
from server.db.models import Actor, Announcement, AnnouncementReaction, AnnouncementRead
from server.db.types import utcnow
from server.i18n import N_
from server.services.moderation import audit
from server.services.reading import stream_events

MAX_TEXT = 5000
MAX_REACTION = 16  # characters: one emoji, with its modifiers and joiners
EMOJI_PARTS = ("So", "Sk", "Mn", "Me")  # symbols, skin tones, variation selectors, combining keycaps
ZWJ = "\u200d"


async def create(session: AsyncSession, text: str, *, starts_at: datetime | None = None,
                 ends_at: datetime | None = None, actor: Actor | None = None, by: str | None = None) -> Announcement:
    """A new announcement, audited; ServiceError for an empty or overlong text or an end before its start."""
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ServiceError(N_("an announcement needs a text of 1 to %(limit)s characters"), values={"limit": MAX_TEXT})
    if ends_at is not None and ends_at <= (starts_at or utcnow()):
        raise ServiceError(N_("an announcement must end after it starts"))
    row = Announcement(id=snowflake(), text=text, content_html=render_post(text, mentions={}, tag_url=_no_tag).html,
                       starts_at=starts_at, ends_at=ends_at, published_at=utcnow(), updated_at=utcnow())
    session.add(row)
    await session.flush()
    await audit.record(session, actor, "announcement.create", "announcement", str(row.id), by=by)
    if _in_force(row):
        await stream_events.emit(session, "announcement", {"announcement_id": row.id})
    return row


def parse_when(text: str | None, refusal: str) -> datetime | None:
    """A time as typed at the command line or in a form (ISO 8601; UTC unless it says otherwise); None if blank.
    `refusal` says a text that is no time is refused, naming the field (a msgid where a page shows it)."""
    if not (text or "").strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError(refusal) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _no_tag(tag: str) -> str:
    return f"/tags/{tag}"


def _in_force(row: Announcement) -> bool:
    now = utcnow()
    return (row.starts_at is None or row.starts_at <= now) and (row.ends_at is None or row.ends_at > now)


async def remove(session: AsyncSession, announcement_id: int, *, actor: Actor | None = None,
                 by: str | None = None) -> None:
    row = await session.get(Announcement, announcement_id)
    if row is None:
        raise ServiceError(N_("no such announcement"), Kind.NOT_FOUND)
    await session.delete(row)
    await audit.record(session, actor, "announcement.delete", "announcement", str(announcement_id), by=by)
    await stream_events.emit(session, "announcement.delete", {"announcement_id": announcement_id})


async def every(session: AsyncSession) -> list[Announcement]:
    """All announcements, newest first (for admins: those not yet in force and those ended too)."""
    return list((await session.execute(select(Announcement).order_by(Announcement.id.desc()))).scalars())


def _in_force_now():
    now = utcnow()
    return (or_(Announcement.starts_at.is_(None), Announcement.starts_at <= now),
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now))


async def for_member(session: AsyncSession, viewer_id: int, *, with_dismissed: bool = False) -> list[Announcement]:
    """Announcements in force, newest first; those the member dismissed only `with_dismissed`."""
    query = select(Announcement).where(*_in_force_now()).order_by(Announcement.id.desc())
    if not with_dismissed:
        query = query.where(Announcement.id.not_in(select(AnnouncementRead.announcement_id).where(
            AnnouncementRead.actor_id == viewer_id)))
    return list((await session.execute(query)).scalars())


async def in_force(session: AsyncSession, announcement_id: int) -> Announcement:
    row = (await session.execute(select(Announcement).where(Announcement.id == announcement_id,
                                                            *_in_force_now()))).scalar_one_or_none()
    if row is None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return row


async def dismiss(session: AsyncSession, viewer_id: int, announcement_id: int) -> None:
    await in_force(session, announcement_id)
    await session.merge(AnnouncementRead(announcement_id=announcement_id, actor_id=viewer_id))


def checked_reaction(name: str) -> str:
    """A reaction is one Unicode emoji (custom emoji are not kept here); ServiceError otherwise."""
    parts_ok = all(unicodedata.category(c) in EMOJI_PARTS or c == ZWJ for c in name)
    if not (0 < len(name) <= MAX_REACTION and parts_ok and any(unicodedata.category(c) == "So" for c in name)):
        raise ServiceError("Validation failed: Name is not a recognized emoji")
    return name


async def react(session: AsyncSession, viewer_id: int, announcement_id: int, name: str) -> None:
    await in_force(session, announcement_id)
    await session.merge(AnnouncementReaction(announcement_id=announcement_id, actor_id=viewer_id,
                                             name=checked_reaction(name)))


async def unreact(session: AsyncSession, viewer_id: int, announcement_id: int, name: str) -> None:
    await in_force(session, announcement_id)
    await session.execute(delete(AnnouncementReaction).where(
        AnnouncementReaction.announcement_id == announcement_id, AnnouncementReaction.actor_id == viewer_id,
        AnnouncementReaction.name == name))


async def render(session: AsyncSession, rows: list[Announcement], viewer_id: int) -> list[dict]:
    """Announcement entities as `viewer_id` sees them: read or not, reactions counted and their own marked."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    read = set((await session.execute(select(AnnouncementRead.announcement_id).where(
        AnnouncementRead.actor_id == viewer_id, AnnouncementRead.announcement_id.in_(ids)))).scalars())
    counts = (await session.execute(select(AnnouncementReaction.announcement_id, AnnouncementReaction.name,
                                           func.count())
                                    .where(AnnouncementReaction.announcement_id.in_(ids))
                                    .group_by(AnnouncementReaction.announcement_id, AnnouncementReaction.name))).all()
    mine = set((await session.execute(select(AnnouncementReaction.announcement_id, AnnouncementReaction.name).where(
        AnnouncementReaction.actor_id == viewer_id, AnnouncementReaction.announcement_id.in_(ids)))).all())
    reactions: dict[int, list[dict]] = {i: [] for i in ids}
    for announcement_id, name, count in counts:
        reactions[announcement_id].append({"name": name, "count": int(count), "me": (announcement_id, name) in mine})
    return [announcement_to_mastodon(r, read=r.id in read, reactions=reactions[r.id]) for r in rows]
