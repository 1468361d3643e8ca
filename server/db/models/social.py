"""Relationships between actors: follows, likes, blocks; members' followed hashtags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, UTCDateTime, utcnow


class Follow(Base):
    """`follower` follows `followed`; `pending` until the followed side accepts."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("follower_id", "followed_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    followed_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | accepted
    show_boosts: Mapped[bool] = mapped_column(default=True)
    notify: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Like(Base):
    __tablename__ = "likes"
    __table_args__ = (UniqueConstraint("actor_id", "post_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(Base):
    """`actor` blocks `target`: no delivery to them, nothing from them shown or accepted."""

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("actor_id", "target_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mute(Base):
    """`actor` mutes `target`: their posts (and, with `notifications`, their notifications) are hidden
    from `actor` alone. Never federated."""

    __tablename__ = "mutes"
    __table_args__ = (UniqueConstraint("actor_id", "target_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    notifications: Mapped[bool] = mapped_column(default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserDomainBlock(Base):
    """A member hides a whole remote domain from themselves (subdomains included)."""

    __tablename__ = "user_domain_blocks"
    __table_args__ = (UniqueConstraint("actor_id", "domain"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TagFollow(Base):
    """Member `actor` follows hashtag `tag` (lowercased, without '#', as post_tags stores it): new public
    posts carrying it go to their home timeline. (tag, actor_id) serves fan-out; (actor_id, id) their list."""

    __tablename__ = "tag_follows"
    __table_args__ = (UniqueConstraint("tag", "actor_id"), Index("ix_tag_follows_actor_id_id", "actor_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SuggestionDismissal(Base):
    """`actor` asked not to be suggested `target` again (DELETE /api/v1/suggestions/:account_id)."""

    __tablename__ = "suggestion_dismissals"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)


class ConversationMute(Base):
    """`actor` muted the conversation whose thread starts at post `root_id` (server.services.reading.threads; a
    plain id, as conversations keep it): no notifications from it, `muted` on its statuses. Never federated."""

    __tablename__ = "conversation_mutes"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    root_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountNote(Base):
    """`actor`'s private note on `target` (Mastodon's Relationship `note`): seen by `actor` alone."""

    __tablename__ = "account_notes"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True)
    comment: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Endorsement(Base):
    """`actor` features `target` on their profile (Mastodon's account pins, `/api/v1/endorsements`)."""

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("actor_id", "target_id"), Index("ix_endorsements_actor_id_id", "actor_id", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeaturedTag(Base):
    """A hashtag `actor` features on their profile (lowercased, without '#', as post_tags stores it; `name` as
    they wrote it), federated in their actor's `featuredTags` collection."""

    __tablename__ = "featured_tags"
    __table_args__ = (UniqueConstraint("actor_id", "tag"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
