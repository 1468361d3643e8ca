"""Posts held for a moderator by the patient-privacy guard (`CURBSIDE_PHI_POLICY=hold`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow

HELD_KINDS = ("post", "edit")


class HeldPost(Base):
    """One item of the review queue, until a moderator decides (then the row goes; the audit log keeps it).

    kind `post`: a new post, stored with visibility ``held`` (seen by its author only); `visibility` is the
    one it gets once approved. kind `edit`: an edit of a published post, kept in `edit` (the fields of
    posts.NewPost) and applied once approved; the post stays as it was meanwhile. `findings` are the
    guard's findings ({kind, text, start, end, field, reason}).
    """

    __tablename__ = "held_posts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="post")
    visibility: Mapped[str] = mapped_column(String(16))
    edit: Mapped[dict | None] = mapped_column(Json)
    findings: Mapped[list] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
