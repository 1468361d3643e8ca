"""What members read: home timelines (written on arrival) and notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, UTCDateTime, utcnow


class HomeTimelineEntry(Base):
    """Post `post_id` is in the home timeline of local actor `owner_id` (fan-out on write)."""

    __tablename__ = "home_timeline"

    owner_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
                      Index("ix_notifications_recipient_id_group_key", "recipient_id", "group_key"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    # mention, status, reblog, follow, follow_request, favourite, poll, update
    type: Mapped[str] = mapped_column(String(32))
    from_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    # Mastodon's grouping: favourites, boosts and follows of one target within hours share a key; None: alone
    group_key: Mapped[str | None] = mapped_column(String(96))
    # set aside by the recipient's notification policy (Mastodon's "filtered": shown only when asked for)
    filtered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


POLICY_FIELDS = ("for_not_following", "for_not_followers", "for_new_accounts", "for_private_mentions",
                 "for_limited_accounts")


class NotificationPolicy(Base):
    """A member's notification policy (Mastodon 4.3): per kind of sender, accept, filter or drop. No row: the
    defaults (server.services.reading.notification_policy)."""

    __tablename__ = "notification_policies"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    for_not_following: Mapped[str] = mapped_column(String(8))
    for_not_followers: Mapped[str] = mapped_column(String(8))
    for_new_accounts: Mapped[str] = mapped_column(String(8))
    for_private_mentions: Mapped[str] = mapped_column(String(8))
    for_limited_accounts: Mapped[str] = mapped_column(String(8))
