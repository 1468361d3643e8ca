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


def as_to_post(parsed: vocab.Post, author: Actor) -> Post:
    """A new (unsaved) Post for a remote object: snowflake id from its publication time, visibility
    from its addressing. Remote posts are never `local` (members-only)."""
    published = parsed.published or utcnow()
    visibility = visibility_from(list(parsed.to), list(parsed.cc), followers_url=author.followers_url)
    return Post(
        id=snowflake(published), uri=parsed.id, url=parsed.url, author_id=author.id, author=author,
        local=False, visibility=visibility, local_only=False, phi_confirmed=False, object_type=parsed.type,
        in_reply_to_uri=parsed.in_reply_to,
        to=list(parsed.to), cc=list(parsed.cc), published=min(published, utcnow()),
        replies_count=0, likes_count=0, boosts_count=0, created_at=utcnow(), **content_fields(parsed),
    )
