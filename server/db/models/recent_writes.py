"""Who wrote a moment ago: their reads go to the primary, not a replica that may lag (server.replica)."""
from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base


class RecentWrite(Base):
    """A credential (hashed: an access token or a web session) that sent a write; until `until` (epoch seconds)
    its reads are served by the primary. A chore deletes the row after."""

    __tablename__ = "recent_writes"

    caller: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[int] = mapped_column(BigInteger, index=True)
