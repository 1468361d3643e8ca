"""Uploaded media, poll votes and deadlines, and what members keep: bookmarks, pins, read markers,
and the idempotency keys of their posts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class MediaAttachment(Base):
    """A local upload: the cleaned image and its preview under settings.media_dir, named by `file_key`.

    Unattached until a post claims it (`post_id`); unattached uploads older than a day are removed, unless a
    scheduled post reserves them (`scheduled_id`).
    A deleted post leaves its media unattached, so that "delete and redraft" can use them again.
    """

    __tablename__ = "media_attachments"
    __table_args__ = (Index("ix_media_attachments_post_id_created_at", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    file_key: Mapped[str] = mapped_column(String(64), unique=True)
    extension: Mapped[str] = mapped_column(String(8))
    media_type: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    small_width: Mapped[int] = mapped_column(Integer)
    small_height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    blurhash: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    focus_x: Mapped[float] = mapped_column(Float, default=0.0)
    focus_y: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The privacy guard's look at the image (services/media_phi): "queued" while it is being checked, then
    # "clean", "found", "unchecked" (no OCR here) or "failed"; findings are [{kind, box, text?}].
    phi_status: Mapped[str] = mapped_column(String(16), default="queued", server_default="unchecked")
    phi_findings: Mapped[list] = mapped_column(Json, default=list, server_default="[]")
    # Reserved by a scheduled post (kept until it is published or cancelled; claimed by no other post meanwhile).
    scheduled_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_posts.id", ondelete="SET NULL"),
                                                     index=True)


class PollVote(Base):
    """One chosen option of a poll by one actor: local members' votes on any poll, remote actors'
    votes on ours. `uri` is the vote Note's id (ours for local voters, theirs for remote ones)."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("post_id", "actor_id", "choice"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    choice: Mapped[int] = mapped_column(Integer)
    uri: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollDeadline(Base):
    """When a poll (local or remote) ends; `closed_at` is set once its end has been handled
    (results federated for ours, voters and author notified)."""

    __tablename__ = "poll_deadlines"
    __table_args__ = (Index("ix_poll_deadlines_closed_at_expires_at", "closed_at", "expires_at"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Bookmark(Base):
    __tablename__ = "bookmarks"
    __table_args__ = (UniqueConstraint("actor_id", "post_id"), Index("ix_bookmarks_actor_id_id", "actor_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pin(Base):
    """A member's own post pinned to their profile (and their featured collection)."""

    __tablename__ = "pins"
    __table_args__ = (UniqueConstraint("actor_id", "post_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Marker(Base):
    """Where a member stopped reading a timeline (home, notifications), synced between their apps."""

    __tablename__ = "markers"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    timeline: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(Base):
    """An `Idempotency-Key` a member's app sent with a new post (hashed), kept for an hour, so that
    a retried request returns the first post instead of posting twice, in any process."""

    __tablename__ = "idempotency_keys"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
