"""Case discussions (curbside consults): a case is a group thread of a special kind, kept here by its post."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import Json, UTCDateTime, utcnow


class Case(Base):
    """The case whose thread starts with post `post_id` (a local case, or a copy of another Curbside's): its coarse
    categories only (an age band and a sex, never a date of birth), its state and the reply that answered it (by id
    when we hold it, else by its URI until it arrives)."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_state_post_id", "state", "post_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    accepted_answer_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    accepted_answer_uri: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    presentation: Mapped[str] = mapped_column(Text)
    specialties: Mapped[list] = mapped_column(Json, default=list)  # NUCC taxonomy codes
    age_band: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(16))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
