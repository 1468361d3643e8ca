"""Members' keyword filters (Mastodon's filters, v2): a filter groups keywords and posts, says where it
applies (its contexts) and what it does there (warn or hide), and may expire. Never federated."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class KeywordFilter(Base):
    __tablename__ = "keyword_filters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    context: Mapped[list] = mapped_column(Json, default=list)  # home, notifications, public, thread, account
    action: Mapped[str] = mapped_column(String(8), default="warn")  # warn | hide
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilterKeyword(Base):
    __tablename__ = "filter_keywords"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    filter_id: Mapped[int] = mapped_column(ForeignKey("keyword_filters.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(Text)
    whole_word: Mapped[bool] = mapped_column(default=True)


class FilterStatus(Base):
    """A post the filter applies to whatever its words."""

    __tablename__ = "filter_statuses"
    __table_args__ = (UniqueConstraint("filter_id", "post_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    filter_id: Mapped[int] = mapped_column(ForeignKey("keyword_filters.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
