"""Groups (FEP-1b12): a local `Group` actor with what only groups have, and the members who moderate it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.models.accounts import Actor
from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow


class Group(Base):
    """A group hosted here. Its name, title and description are its Actor's username, display name and
    summary (one namespace with members' names, so `@NAME@DOMAIN` never names two things); its key pair and
    followers (members) are its Actor's too."""

    __tablename__ = "groups"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    specialties: Mapped[list] = mapped_column(Json, default=list)  # NUCC taxonomy codes
    join_policy: Mapped[str] = mapped_column(String(16), default="open")  # open | members | verified | approval
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    posting_restricted_to_mods: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Actor] = relationship(lazy="joined")


class GroupModerator(Base):
    """A local member who moderates a group."""

    __tablename__ = "group_moderators"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.actor_id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupPost(Base):
    """A post of a group's (a thread, or a reply in one): the thread it is in (the id of its first post, which a
    thread's own row names), the thread's title (a Lemmy Page's `name`) and the id of the group's Announce of it."""

    __tablename__ = "group_posts"
    __table_args__ = (Index("ix_group_posts_group_id_thread_id", "group_id", "thread_id"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.actor_id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)
    thread_id: Mapped[int] = mapped_column(BigId)
    title: Mapped[str | None] = mapped_column(Text)
    announce_uri: Mapped[str] = mapped_column(Text)
    relayed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupThreadState(Base):
    """What a group's moderators did to one of its threads (or a reply): locked (no more replies), pinned (in the
    group's `featured`, listed first). For groups hosted here and for remote groups alike (a Lemmy community's
    Lock or Add to featured, applied to our copy), so the group is named by its actor."""

    __tablename__ = "group_thread_states"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    group_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupBan(Base):
    """An actor banned from a group (Lemmy's Block with the community as target): its Follow and posts refused.
    The group is named by its actor: a ban by a remote group of one of our members is kept as well."""

    __tablename__ = "group_bans"

    group_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    block_uri: Mapped[str | None] = mapped_column(Text)  # the group's Block activity, which an Undo names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
