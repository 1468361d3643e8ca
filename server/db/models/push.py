"""Web Push: members' subscriptions (one per access token, as Mastodon keeps them) and the pushes waiting to go."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class PushSubscription(Base):
    """Where to push a member's notifications (Mastodon's Web::PushSubscription); it goes with its token."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("oauth_tokens.id", ondelete="CASCADE"), unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(Text)
    key_p256dh: Mapped[str] = mapped_column(String(128))
    key_auth: Mapped[str] = mapped_column(String(64))
    alerts: Mapped[dict] = mapped_column(Json)  # notification type -> pushed or not
    policy: Mapped[str] = mapped_column(String(16), default="all")  # all | followed | follower | none
    # The access token, which Mastodon sends in each push, sealed with a key derived from the secret key: tokens
    # are otherwise kept as hashes only (server.db.models.oauth).
    sealed_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushDelivery(Base):
    """One notification to push to one subscription: queued, tried under a lease, removed once done."""

    __tablename__ = "push_deliveries"
    __table_args__ = (Index("ix_push_deliveries_next_try_at", "next_try_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("push_subscriptions.id", ondelete="CASCADE"),
                                                 index=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
