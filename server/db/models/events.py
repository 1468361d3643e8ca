"""Stream events: what the streaming API tells connected clients, written in the transaction of the change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class StreamEvent(Base):
    """One change (`update`, `status.update`, `delete`, `notification`, `access_ended`...) and the ids it is about.

    Web processes read new rows (SQLite: by id, which only grows in commit order because SQLite has one
    writer at a time and AUTOINCREMENT never reuses ids; PostgreSQL: the ids a NOTIFY names) and stream
    them; rows older than a few minutes are deleted.
    """

    __tablename__ = "stream_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
