"""Posts (local and remote, boosts included), who they mention, and their hashtags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.models.accounts import Actor
from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow

VISIBILITIES = ("public", "unlisted", "private", "direct", "local")
# A post the patient-privacy guard holds for a moderator: seen by its author alone, never federated, its
# intended visibility kept in held_posts. Not one of VISIBILITIES: no client may ask for it.
HELD = "held"
MEMBERS_ONLY = "local"


class Post(Base):
    """A status. Ids are time-ordered (server.db.ids.snowflake) so that paging by id is paging by time.

    A boost is a Post row whose `boost_of_id` names the boosted post, as Mastodon models reblogs.
    `to`/`cc` keep the ActivityPub addressing; `visibility` is derived from it for remote posts.
    `local` visibility (members-only) never leaves the instance, nor does anything in a thread under such a
    post: a reply there keeps the narrower audience its author chose (followers-only, direct) and is
    marked `local_only`; see `stays_local`.
    """

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_author_id_id", "author_id", "id"),
        Index("ix_posts_visibility_id", "visibility", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    uri: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    local: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    local_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    content_html: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(32), default="Note")
    in_reply_to_uri: Mapped[str | None] = mapped_column(Text, index=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    boost_of_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    to: Mapped[list] = mapped_column(Json, default=list)
    cc: Mapped[list] = mapped_column(Json, default=list)
    tags: Mapped[list] = mapped_column(Json, default=list)
    attachments: Mapped[list] = mapped_column(Json, default=list)
    poll: Mapped[dict | None] = mapped_column(Json)
    replies_count: Mapped[int] = mapped_column(Integer, default=0)
    likes_count: Mapped[int] = mapped_column(Integer, default=0)
    boosts_count: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The author posted it despite the patient-privacy guard's findings (confirmed, or sent again).
    phi_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Actor] = relationship(lazy="joined", innerjoin=True)


def stays_local(post: Post) -> bool:
    """Whether the post never leaves the instance: members-only, or anywhere in a members-only thread."""
    return post.visibility == MEMBERS_ONLY or bool(post.local_only)


class Mention(Base):
    """An actor a post mentions (and, for direct posts, addresses)."""

    __tablename__ = "mentions"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True)


class PostTag(Base):
    """A hashtag on a post, lowercased, for tag timelines and search."""

    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag_post_id", "tag", "post_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True)


class PostEdit(Base):
    """An earlier version of an edited post (for the edit history)."""

    __tablename__ = "post_edits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    content_html: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    poll: Mapped[dict | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
