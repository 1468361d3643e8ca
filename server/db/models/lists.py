"""Lists: a member's named groups of accounts they follow, each with its own timeline (Mastodon's lists)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, UTCDateTime, utcnow

REPLIES_POLICIES = ("followed", "list", "none")


class List(Base):
    """A local member's list. `exclusive`: its members' posts stay out of the owner's home timeline.
    `replies_policy`: which replies the list timeline shows (to anyone followed, to members, to no one)."""

    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    replies_policy: Mapped[str] = mapped_column(String(16), default="list")
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListAccount(Base):
    """`actor_id` is on list `list_id`. It hangs on the owner's follow of that actor: when the follow goes
    (unfollow, block, a rejected request, a deleted account), the database removes the membership too."""

    __tablename__ = "list_accounts"
    __table_args__ = (UniqueConstraint("list_id", "actor_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    follow_id: Mapped[int] = mapped_column(ForeignKey("follows.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
