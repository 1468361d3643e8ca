"""Post rows -> Mastodon Status entities (https://docs.joinmastodon.org/entities/Status/).

Pure: everything the entity needs beyond the row (its author's entity, the boosted status, mentions,
the viewer's own favourites and boosts) is handed in by server.services.views.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from server.convert.actor_to_mastodon import iso
from server.db.models import Post


@dataclass(frozen=True)
class ViewerState:
    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    voted: dict[int, list[int]] = field(default_factory=dict)


def _media(item: dict, index: int, post_id: int) -> dict:
    kind = (item.get("media_type") or item.get("mediaType") or "").split("/")[0]
    return {
        "id": str(item.get("id") or f"{post_id}{index}"),
        "type": {"image": "image", "video": "video", "audio": "audio"}.get(kind, "unknown"),
        "url": item.get("url"), "preview_url": item.get("preview_url") or item.get("url"),
        "remote_url": item.get("remote_url"), "text_url": None,
        "meta": item.get("meta") or {}, "description": item.get("description") or item.get("name"),
        "blurhash": item.get("blurhash"),
    }


def _poll(post: Post, viewer: ViewerState) -> dict | None:
    if not post.poll:
        return None
    options = post.poll.get("options", [])
    expires = post.poll.get("expires_at")
    own = viewer.voted.get(post.id)
    return {
        "id": str(post.id), "expires_at": expires, "expired": bool(post.poll.get("closed")),
        "multiple": bool(post.poll.get("multiple")),
        "votes_count": sum(int(o.get("votes", 0)) for o in options),
        "voters_count": post.poll.get("voters_count"),
        "options": [{"title": o.get("title", ""), "votes_count": int(o.get("votes", 0))} for o in options],
        "emojis": [], "voted": own is not None, "own_votes": own or [],
    }


def _tags(post: Post, tag_url) -> list[dict]:
    return [{"name": t["name"].lstrip("#"), "url": tag_url(t["name"].lstrip("#"))}
            for t in post.tags or [] if isinstance(t, dict) and t.get("type") == "Hashtag" and t.get("name")]


def post_to_mastodon(post: Post, *, account: dict, mentions: list[dict], viewer: ViewerState,
                     reblog: dict | None, in_reply_to_account_id: str | None, tag_url) -> dict:
    return {
        "id": str(post.id),
        "uri": post.uri,
        "url": post.url or post.uri,
        "created_at": iso(post.published),
        "account": account,
        "content": post.content_html if reblog is None else "",
        "visibility": "private" if post.visibility == "private" else post.visibility,
        "sensitive": post.sensitive,
        "spoiler_text": post.summary or "",
        "media_attachments": [_media(m, i, post.id) for i, m in enumerate(post.attachments or [])],
        "application": None,
        "mentions": mentions,
        "tags": _tags(post, tag_url),
        "emojis": [],
        "reblogs_count": post.boosts_count,
        "favourites_count": post.likes_count,
        "replies_count": post.replies_count,
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": in_reply_to_account_id,
        "reblog": reblog,
        "poll": _poll(post, viewer),
        "card": None,
        "language": post.language,
        "text": None,
        "edited_at": iso(post.edited_at),
        "favourited": post.id in viewer.favourited,
        "reblogged": post.id in viewer.reblogged,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "filtered": [],
    }
