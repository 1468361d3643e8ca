"""Remote media kept in our storage: other servers' attachments, avatars and headers, fetched on first view."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import UTCDateTime, utcnow


class RemoteMedia(Base):
    """A remote file stored under `file_key` (server.services.federation.remote_media), named by the SHA-256 of its
    URL. `fetched_at` dates the copy: `curbside media prune --remote-older-than DAYS` removes old copies (file and
    row), and the next view fetches the file again."""

    __tablename__ = "remote_media"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    domain: Mapped[str] = mapped_column(String(255), index=True)
    file_key: Mapped[str] = mapped_column(String(128))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
