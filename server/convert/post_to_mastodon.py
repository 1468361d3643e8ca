"""Post rows -> Mastodon Status entities (https://docs.joinmastodon.org/entities/Status/).

Pure: everything the entity needs beyond the row (its author's entity, the boosted status, mentions,
the viewer's own favourites and boosts) is handed in by server.services.reading.page_views.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from server.convert.actor_to_mastodon import iso
from server.convert.media_to_mastodon import attachment_to_mastodon
from server.db.models import Post
from server.db.poll_json import read_poll, timestamp

PINNABLE = ("public", "unlisted", "private")  # Mastodon's pinnable? (the `pinned` key's presence)


@dataclass(frozen=True)
class ViewerState:
    """What the viewer did to the posts shown; `viewer_id` None: nobody signed in, and then, as on Mastodon,
    no favourited, reblogged, muted, bookmarked, pinned, filtered, voted and own_votes keys at all."""
    viewer_id: int | None = None
    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()
    muted: frozenset[int] = frozenset()  # posts in conversations the viewer muted
    voted: dict[int, list[int]] = field(default_factory=dict)


def poll_to_mastodon(post: Post, viewer: ViewerState, now: datetime | None = None) -> dict | None:
    """The Poll entity of a post's poll (https://docs.joinmastodon.org/entities/Poll/); its id is the post's."""
    poll = read_poll(post.poll)
    if poll is None:
        return None
    own = viewer.voted.get(post.id)
    return {
        "id": str(post.id), "expires_at": timestamp(poll.expires_at) if poll.expires_at else None,
        "expired": poll.has_ended(now),
        "multiple": poll.multiple,
        "votes_count": sum(o.votes_count for o in poll.options),
        "voters_count": poll.voters_count,
        "options": [{"title": o.title, "votes_count": o.votes_count} for o in poll.options],
        "emojis": [], **({"voted": own is not None, "own_votes": own or []} if viewer.viewer_id is not None else {}),
    }


def _tags(post: Post, tag_url) -> list[dict]:
    return [{"name": t["name"].lstrip("#"), "url": tag_url(t["name"].lstrip("#"))}
            for t in post.tags or [] if isinstance(t, dict) and t.get("type") == "Hashtag" and t.get("name")]


def status_shared(post: Post, *, mentions: list[dict], in_reply_to_account_id: str | None, tag_url,
                  case: dict | None = None, local_copy=None) -> dict:
    """The part of a Status every viewer sees alike: all of it but its account, its reblog, its poll and
    the viewer's own flags (server.services.reading.entity_cache keeps it per post); a case's Status carries
    `curbside_case` (case_to_mastodon). `local_copy`: a remote media URL -> the local URL serving our copy
    (LocalUrls.remote_media)."""
    shared = {
        "id": str(post.id),
        "uri": post.uri,
        "url": post.url or post.uri,
        "created_at": iso(post.published),
        "content": post.content_html if post.boost_of_id is None else "",
        "visibility": "private" if post.visibility == "private" else post.visibility,
        "sensitive": post.sensitive,
        "spoiler_text": post.summary or "",
        "media_attachments": [attachment_to_mastodon(m, fallback_id=f"{post.id}{i}", remote=not post.local,
                                                     local_copy=local_copy)
                              for i, m in enumerate(post.attachments or []) if isinstance(m, dict)],
        "mentions": mentions,
        "tags": _tags(post, tag_url),
        "emojis": [],
        "reblogs_count": post.boosts_count,
        "favourites_count": post.likes_count,
        "replies_count": post.replies_count,
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": in_reply_to_account_id,
        "card": None,
        "language": post.language,
        "edited_at": iso(post.edited_at),
    }
    if case is not None:
        shared["curbside_case"] = case
    return shared


def pinnable_by(post) -> int | None:
    """Who may see a `pinned` key on the post (its author, if it could be pinned); None: nobody."""
    return post.author_id if post.boost_of_id is None and post.visibility in PINNABLE else None


def viewer_flags(post_id: int, pin_owner: int | None, viewer: ViewerState) -> dict:
    """The viewer's own flags on a post, as Mastodon keys them (`pin_owner`: see pinnable_by)."""
    if viewer.viewer_id is None:
        return {}
    flags = {"favourited": post_id in viewer.favourited, "reblogged": post_id in viewer.reblogged,
             "muted": post_id in viewer.muted, "bookmarked": post_id in viewer.bookmarked}
    if pin_owner == viewer.viewer_id:
        flags["pinned"] = post_id in viewer.pinned
    return flags


def post_to_mastodon(post: Post, *, account: dict, mentions: list[dict], viewer: ViewerState,
                     reblog: dict | None, in_reply_to_account_id: str | None, tag_url,
                     case: dict | None = None, local_copy=None) -> dict:
    return {**status_shared(post, mentions=mentions, in_reply_to_account_id=in_reply_to_account_id, tag_url=tag_url,
                            case=case, local_copy=local_copy),
            "account": account, "reblog": reblog, "poll": poll_to_mastodon(post, viewer),
            **({"filtered": []} if viewer.viewer_id is not None else {}),
            **viewer_flags(post.id, pinnable_by(post), viewer)}
