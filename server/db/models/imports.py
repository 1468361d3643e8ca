"""Imports of Mastodon's CSV exports (follows, lists, blocks, mutes, bookmarks): one durable job per file,
worked through by the worker one row at a time (server.jobs.imports), its place kept after every row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow

IMPORT_KINDS = ("following", "lists", "blocks", "mutes", "bookmarks")
IMPORT_MODES = ("merge", "overwrite")


class ImportJob(Base):
    """One uploaded file: its parsed `rows`, how far the worker got (`position`), and what came of them.
    `cleared`: the overwrite's removal of what the file does not list is done (it runs before the rows)."""

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of IMPORT_KINDS
    mode: Mapped[str] = mapped_column(String(16))  # one of IMPORT_MODES
    rows: Mapped[list] = mapped_column(Json)
    total: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | finished
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
