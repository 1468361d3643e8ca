"""Reports (from members, or Flags from other servers), account sanctions and the notices
(warnings) members receive about them, with their one appeal."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class Report(Base):
    """A report about `target` (and some of its posts). `reporter_id` is a local member, or the remote
    actor that sent the Flag (`origin` remote, `flag_uri` its id). Targets are kept as URIs too, so a
    report outlives the purge of what it is about."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    origin: Mapped[str] = mapped_column(String(16), default="local")  # local | remote
    flag_uri: Mapped[str | None] = mapped_column(Text, unique=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"), index=True)
    target_uri: Mapped[str] = mapped_column(Text)
    post_ids: Mapped[list] = mapped_column(Json, default=list)
    post_uris: Mapped[list] = mapped_column(Json, default=list)
    category: Mapped[str] = mapped_column(String(32), default="other")
    comment: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list] = mapped_column(Json, default=list)
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    assigned_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    action_taken: Mapped[str | None] = mapped_column(String(32))
    action_comment: Mapped[str] = mapped_column(Text, default="")
    action_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AccountModeration(Base):
    """Sanctions on an actor, local or remote. `limited` is Mastodon's "silenced"; `sensitized`
    marks all their media sensitive. No row means no sanction."""

    __tablename__ = "account_moderation"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    limited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sensitized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AccountWarning(Base):
    """The notice a member receives about a moderator's action (Mastodon's "strike"), and the one
    appeal they may make against it (`appeal_state`: pending, approved, rejected)."""

    __tablename__ = "account_warnings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    post_uris: Mapped[list] = mapped_column(Json, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    appeal_text: Mapped[str | None] = mapped_column(Text)
    appeal_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_state: Mapped[str | None] = mapped_column(String(16))
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
