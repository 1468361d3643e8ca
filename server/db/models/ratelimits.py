"""Client-API rate-limit counters shared by every web process (server.ratelimit_shared)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base


class RateLimitWindow(Base):
    """Requests counted in one fixed window of one budget (`rule|caller`); a chore deletes it after `expires`."""

    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # epoch seconds
    n: Mapped[int] = mapped_column(Integer, default=0)
    expires: Mapped[int] = mapped_column(BigInteger, index=True)  # epoch seconds: the window's end
