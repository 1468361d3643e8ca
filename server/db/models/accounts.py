"""Actors (local and remote), the local accounts that log in, and run-time instance settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class Actor(Base):
    """An ActivityPub actor: a local member, the instance actor, or a remote actor we know of."""

    __tablename__ = "actors"
    __table_args__ = (
        # Local usernames are unique regardless of case, as on Mastodon. Remote actors are unique by
        # uri only: a Lemmy user and a Lemmy community may share a preferredUsername on one host.
        Index("ix_actors_local_username", "domain", text("lower(username)"), unique=True,
              sqlite_where=text("local"), postgresql_where=text("local")),
        Index("ix_actors_domain_username", "domain", text("lower(username)")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    local: Mapped[bool] = mapped_column(Boolean, default=False)
    username: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255), index=True)
    actor_type: Mapped[str] = mapped_column(String(32), default="Person")
    display_name: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_source: Mapped[str | None] = mapped_column(Text)  # a member's note as typed (summary is its HTML)
    url: Mapped[str | None] = mapped_column(Text)
    icon_url: Mapped[str | None] = mapped_column(Text)
    header_url: Mapped[str | None] = mapped_column(Text)
    inbox: Mapped[str | None] = mapped_column(Text)
    shared_inbox: Mapped[str | None] = mapped_column(Text)
    outbox: Mapped[str | None] = mapped_column(Text)
    followers_url: Mapped[str | None] = mapped_column(Text)
    following_url: Mapped[str | None] = mapped_column(Text)
    public_key_id: Mapped[str | None] = mapped_column(Text, index=True)
    public_key_pem: Mapped[str | None] = mapped_column(Text)
    private_key_pem: Mapped[str | None] = mapped_column(Text)
    manually_approves: Mapped[bool] = mapped_column(Boolean, default=False)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Public posts may be found by full-text search (Mastodon's toot:indexable): opt-in, as on Mastodon.
    indexable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fields: Mapped[list] = mapped_column(Json, default=list)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moved_to_uri: Mapped[str | None] = mapped_column(Text)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a local member's move (undoable a while)
    # Other accounts that are also this one (ids): a member's aliases, a remote actor's as its document says.
    also_known_as: Mapped[list | None] = mapped_column(Json)

    account: Mapped[Account | None] = relationship(back_populates="actor", uselist=False)

    @property
    def acct(self) -> str:
        return f"{self.username}@{self.domain}"


class Account(Base):
    """A local member who logs in: credentials, role and state. Their public face is an Actor."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(String(16))
    registration_reason: Mapped[str | None] = mapped_column(Text)  # why they want to join (approval mode)
    # No foreign key: SQLite cannot add one without rebuilding the table (invites are never deleted anyway).
    invite_id: Mapped[int | None] = mapped_column(BigId)

    actor: Mapped[Actor] = relationship(back_populates="account", lazy="joined")


class InstanceSetting(Base):
    """Settings an admin changes at run time (rules, theme, federation mode): one JSON value per key."""

    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
