"""Direct conversations as each local participant sees them (server.services.reading.conversations)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId


class ConversationState(Base):
    """Local actor `owner_id`'s view of the direct conversation named by its thread's first post
    (`root_id`, kept as a plain id: the name outlives that post). `last_status_id` is the newest direct
    post of the thread the owner takes part in; a member hiding the conversation deletes the row, and
    the next direct post in the thread writes it again."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_owner_id_last_status_id", "owner_id", "last_status_id"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    root_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # SET NULL only when a post goes without the service re-pointing it (an account's posts purged):
    # such rows are not listed. Indexed alone so that deleting any post finds its rows at once.
    last_status_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="SET NULL"),
                                                       index=True)
    unread: Mapped[bool] = mapped_column(Boolean, default=False)
