"""Durable work: received activities waiting to be processed, and deliveries waiting to be sent.

Both are rows with states (queued -> done/sent | failed | gone) claimed under a lease (`locked_until`),
so that a worker killed at any moment leaves its rows to be claimed again once the lease ends.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class InboxItem(Base):
    """An activity accepted by an inbox (signature verified), not yet or already processed."""

    __tablename__ = "inbox_items"
    __table_args__ = (Index("ix_inbox_items_state_next_try_at", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_uri: Mapped[str] = mapped_column(Text, unique=True)  # idempotency: one row per activity id
    signer: Mapped[str] = mapped_column(Text)  # actor id that signed the POST
    activity: Mapped[dict] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenActivity(Base):
    """An activity once queued whose InboxItem was pruned: a 16-byte digest of its id, kept a while
    longer so that a late re-delivery is not processed twice (server.services.federation.inbox.remembered)."""

    __tablename__ = "seen_activities"

    digest: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DeletedObject(Base):
    """A remote object its origin deleted, whether we had it or not (a digest of its id): a Create
    of it arriving after the Delete is refused."""

    __tablename__ = "deleted_objects"

    digest: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Delivery(Base):
    """One signed POST of one activity to one inbox (a shared inbox where the host has one)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("activity_uri", "inbox"),
        Index("ix_deliveries_state_next_try_at", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_uri: Mapped[str] = mapped_column(Text)
    inbox: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255), index=True)
    body: Mapped[str] = mapped_column(Text)  # the exact JSON to send, serialised once
    signer_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | sent | failed | gone
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Host(Base):
    """Delivery health of a remote host, as Mastodon tracks it: unavailable after failing for days."""

    __tablename__ = "hosts"

    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unavailable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nodeinfo: Mapped[dict | None] = mapped_column(Json)
