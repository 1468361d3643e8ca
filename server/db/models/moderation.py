"""Federation moderation: domain policies with their provenance, subscribed blocklists, the policy
version counter that tells every process to reload them, and the append-only audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow

POLICY_STATES = ("active", "draft", "rejected")


class BlocklistSubscription(Base):
    """A shared list an admin subscribed to: fetched on a schedule, its entries stored as policies
    owned by it. `document` is the last list that parsed (the last good state)."""

    __tablename__ = "blocklist_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    as_drafts: Mapped[bool] = mapped_column(Boolean, default=False)
    allow: Mapped[bool] = mapped_column(Boolean, default=False)  # an allowlist rather than a blocklist
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(Text)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DomainPolicyRecord(Base):
    """One stored `moderation.domains.DomainPolicy`: local (`subscription_id` None) or written by a
    list. `state` is `active`, `draft` (a list's proposal awaiting approval) or `rejected`.
    `key` is the domain, or ``sha256:<digest>`` for entries known only by hash."""

    __tablename__ = "domain_policies"
    __table_args__ = (
        # One policy per (domain, kind, owner, state); local rows have no subscription, hence coalesce.
        Index("uq_domain_policies_owner", "key", "allow", text("coalesce(subscription_id, 0)"), "state",
              unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    domain: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str | None] = mapped_column(String(64))
    allow: Mapped[bool] = mapped_column(Boolean, default=False)
    severity: Mapped[str] = mapped_column(String(16), default="suspend")
    reject_media: Mapped[bool] = mapped_column(Boolean, default=False)
    reject_reports: Mapped[bool] = mapped_column(Boolean, default=False)
    obfuscate: Mapped[bool] = mapped_column(Boolean, default=False)
    public_comment: Mapped[str] = mapped_column(Text, default="")
    private_comment: Mapped[str] = mapped_column(Text, default="")
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("blocklist_subscriptions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PolicyVersion(Base):
    """A single row counting policy changes: each process reloads its policies when it moves."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigId, default=0)


class AuditEntry(Base):
    """An append-only record of a moderation action or policy change. Written only through
    server.services.moderation.audit.record; nothing updates or deletes these rows."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(320))  # kept as written: who it was, even if deleted
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(Json, default=dict)
