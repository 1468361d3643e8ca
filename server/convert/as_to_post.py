"""A parsed remote post (federation.vocab.Post) onto our Post row and its side tables' values."""
from __future__ import annotations

from federation import vocab
from federation.addressing import visibility_from
from server.db.ids import snowflake
from server.db.models import Actor, Post
from server.db.poll_json import Poll, PollOption, poll_json
from server.db.types import utcnow


def as_to_poll(poll: vocab.Poll | None) -> Poll | None:
    if poll is None:
        return None
    return Poll(tuple(PollOption(o.name, o.votes) for o in poll.options), poll.multiple, poll.end_time, poll.closed,
                poll.voters_count)


def _attachment(a: vocab.Attachment) -> dict:
    return {"url": a.url, "type": a.type, "media_type": a.media_type, "description": a.description,
            "blurhash": a.blurhash, "width": a.width, "height": a.height,
            "focal_point": list(a.focal_point) if a.focal_point else None, "sensitive": a.sensitive}


def _tag(t: vocab.Tag) -> dict:
    return {k: v for k, v in (("type", t.type), ("name", t.name), ("href", t.href), ("icon_url", t.icon_url)) if v}


def hashtags(parsed: vocab.Post) -> list[str]:
    """The post's hashtags, lowercased, without repeats (for post_tags)."""
    return list(dict.fromkeys(t.name.lower()[:128] for t in parsed.tags if t.type == "Hashtag" and t.name))


def mention_hrefs(parsed: vocab.Post) -> list[str]:
    return [t.href for t in parsed.tags if t.type == "Mention" and t.href]


def content_fields(parsed: vocab.Post) -> dict:
    """The fields an Update may change (a post's visibility and author never change)."""
    return {
        "content_html": parsed.content_html, "summary": parsed.summary, "sensitive": parsed.sensitive,
        "language": parsed.language, "tags": [_tag(t) for t in parsed.tags],
        "attachments": [_attachment(a) for a in parsed.attachments], "poll": poll_json(as_to_poll(parsed.poll)),
    }


def post_values(parsed: vocab.Post, author: Actor) -> dict:
    """The column values of a new Post for a remote object (those as_to_post sets): snowflake id from its
    publication time, visibility from its addressing. Remote posts are never `local` (members-only)."""
    published = parsed.published or utcnow()
    visibility = visibility_from(list(parsed.to), list(parsed.cc), followers_url=author.followers_url)
    return dict(
        id=snowflake(published), uri=parsed.id, url=parsed.url, author_id=author.id,
        local=False, visibility=visibility, local_only=False, phi_confirmed=False, object_type=parsed.type,
        in_reply_to_uri=parsed.in_reply_to,
        to=list(parsed.to), cc=list(parsed.cc), published=min(published, utcnow()),
        replies_count=0, likes_count=0, boosts_count=0, created_at=utcnow(), **content_fields(parsed),
    )


def as_to_post(parsed: vocab.Post, author: Actor) -> Post:
    """A new (unsaved) Post for a remote object (see post_values)."""
    return Post(**post_values(parsed, author), author=author)


_NO_VALUES = {column.key: None for column in Post.__table__.columns}


def post_row(values: dict) -> dict:
    """Every column of a new post's row (None where `values` names none), as post_columns(Post(**values))
    gives it, without building the ORM object (a sixth of the worker's CPU per Create when it was built)."""
    return {**_NO_VALUES, **values}
