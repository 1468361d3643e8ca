"""Posts a member scheduled for later (Mastodon's scheduled statuses)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class ScheduledPost(Base):
    """A post to publish at `scheduled_at`: `params` are the fields of posts.NewPost (authoring.new_post_json),
    screened by the privacy guard when submitted and again when published. The worker claims a due row by
    deleting it, in the transaction that publishes the post; its uploads are reserved to it meanwhile
    (MediaAttachment.scheduled_id), so they do not expire."""

    __tablename__ = "scheduled_posts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    params: Mapped[dict] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
