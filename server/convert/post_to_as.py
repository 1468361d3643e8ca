"""Local posts as ActivityStreams: the Note (or Question) and the activities that carry it.

Stored JSON columns are read leniently, in the shapes of federation.vocab's dataclasses:
`tags` entries {"type": "Mention"|"Hashtag"|"Emoji", "name", "href", "icon_url"}; `attachments`
{"url", "type", "media_type", "description", "blurhash", "width", "height", "focal_point"} (local uploads
add "id", "preview_url", "preview_width", "preview_height"); `poll` through server.db.poll_json.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from federation.addressing import address
from server.convert.actor_to_as import AS_NS, iso
from server.convert.case_to_as import case_context, split_title
from server.db.models import Post
from server.db.models.posts import stays_local
from server.db.poll_json import Poll, read_poll, timestamp
from server.urls import LocalUrls

# Mastodon's extension terms for posts.
POST_CONTEXT: list[Any] = [AS_NS, {
    "ostatus": "http://ostatus.org#",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "Emoji": "toot:Emoji",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "votersCount": "toot:votersCount",
}]


def _check(post: Post) -> None:
    if stays_local(post):
        raise ValueError(f"post {post.id} is in a members-only thread and never leaves the instance")


def audience(post: Post) -> tuple[list[str], list[str]]:
    """The post's to/cc: as stored, else derived from its visibility and mentions."""
    if post.to or post.cc:
        return list(post.to or []), list(post.cc or [])
    mentioned = [t["href"] for t in post.tags or [] if isinstance(t, dict)
                 and t.get("type") == "Mention" and isinstance(t.get("href"), str)]
    return address(post.visibility, followers_url=post.author.followers_url or "", mentioned=mentioned)


def _tag(tag: Any, urls: LocalUrls) -> dict[str, Any] | None:
    if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
        return None
    name, kind = tag["name"], tag.get("type")
    if kind == "Hashtag":
        bare = name.removeprefix("#")
        return {"type": "Hashtag", "href": tag.get("href") or f"{urls.base}/tags/{quote(bare.lower())}",
                "name": f"#{bare}"}
    if kind == "Mention" and tag.get("href"):
        return {"type": "Mention", "href": tag["href"], "name": name}
    if kind == "Emoji" and tag.get("icon_url"):
        shortcode = name.strip(":")
        return {"id": tag.get("href"), "type": "Emoji", "name": f":{shortcode}:",
                "icon": {"type": "Image", "url": tag["icon_url"]}}
    return None


def _attachment(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        return None
    out = {"type": "Document", "mediaType": item.get("media_type"), "url": item["url"],
           "name": item.get("description"), "blurhash": item.get("blurhash"),
           "width": item.get("width"), "height": item.get("height"),
           "focalPoint": list(item["focal_point"]) if item.get("focal_point") else None}
    return {k: v for k, v in out.items() if v is not None}


def poll_to_as(poll: Poll) -> dict[str, Any]:
    """The Question's own fields: its choices (oneOf, or anyOf when several may be chosen) with their counts."""
    options = [{"type": "Note", "name": o.title, "replies": {"type": "Collection", "totalItems": o.votes_count}}
               for o in poll.options]
    fields: dict[str, Any] = {"anyOf" if poll.multiple else "oneOf": options}
    end = timestamp(poll.expires_at) if poll.expires_at else None
    if end:
        fields["endTime"] = end
    if poll.has_ended():
        fields["closed"] = end or iso(datetime.now(timezone.utc))
    if poll.voters_count is not None:
        fields["votersCount"] = poll.voters_count
    return fields


def replies_collection(post: Post) -> dict[str, Any]:
    replies = f"{post.uri}/replies"
    return {"id": replies, "type": "Collection",
            "first": {"type": "CollectionPage", "next": f"{replies}?only_other_accounts=true&page=true",
                      "partOf": replies, "items": []}}


def post_url(post: Post, urls: LocalUrls) -> str:
    return post.url or f"{urls.profile(post.author.username)}/{post.id}"


@dataclass(frozen=True)
class InGroup:
    """The group a post is in (FEP-1b12 `audience`) and its thread's FEP-7888 `context` (unknown for a thread of
    a remote group: the group names it)."""
    group: str
    thread: str | None = None
    thread_start: bool = False  # the post starts the thread: it carries the thread's state, as Lemmy's Page
    locked: bool = False
    pinned: bool = False


def with_case_context(context: list[Any], urls: LocalUrls, case: dict | None) -> list[Any]:
    """A case's Page carries `curbside:` terms: their prefix joins the context."""
    return [*context, case_context(urls.namespace)] if case else context


def post_to_note(post: Post, urls: LocalUrls, *, context: bool = True, archive: bool = False,
                 in_group: InGroup | None = None, case: dict | None = None) -> dict[str, Any]:
    """The Note (a Question when the post has a poll) of a local post; `post.author` must be loaded.

    `case`: what a case sets over its Page (server.convert.case_to_as).
    Raises ValueError for members-only posts (unless for the author's own `archive`, where they are
    addressed to nobody) and for boosts (which are Announces).
    """
    if not archive:
        _check(post)
    if post.boost_of_id is not None:
        raise ValueError(f"post {post.id} is a boost; use announce_activity")
    to, cc = ([], []) if stays_local(post) else audience(post)
    note: dict[str, Any] = {
        "@context": with_case_context(POST_CONTEXT, urls, case) if context else None,
        "id": post.uri,
        "type": "Question" if post.poll else (post.object_type or "Note"),
        "summary": post.summary or None,
        "inReplyTo": post.in_reply_to_uri,
        "published": iso(post.published),
        "updated": iso(post.edited_at) if post.edited_at else None,
        "url": post_url(post, urls),
        "attributedTo": post.author.uri,
        "to": to,
        "cc": cc,
        "sensitive": bool(post.sensitive),
        "content": post.content_html,
        "contentMap": {post.language: post.content_html} if post.language else None,
        "attachment": [a for a in map(_attachment, post.attachments or []) if a],
        "tag": [t for t in (_tag(t, urls) for t in post.tags or []) if t],
        "replies": replies_collection(post),
    }
    if post.poll:
        note.update(poll_to_as(read_poll(post.poll)))
    if post.object_type == "Page":
        note.update(_titled(post))
    if in_group is not None:
        note.update(audience=in_group.group, **({"context": in_group.thread} if in_group.thread else {}))
        if in_group.thread_start:
            note.update(commentsEnabled=not in_group.locked, stickied=in_group.pinned)
    if case:
        note.update(case, contentMap={post.language: case["content"]} if post.language else None)
    return {k: v for k, v in note.items() if v is not None or k in ("summary", "inReplyTo")}


def _titled(post: Post) -> dict[str, Any]:
    """A titled thread's Page as Lemmy expects it: the title as `name`, the content without our title heading."""
    title, rest = split_title(post.content_html)
    if title is None:
        return {}
    return {"name": title, "content": rest, "contentMap": {post.language: rest} if post.language else None}


def _activity(kind: str, activity_id: str, post: Post, obj: Any, published: datetime,
              group: str | None = None, context: list[Any] = POST_CONTEXT) -> dict[str, Any]:
    to, cc = audience(post)
    activity = {"@context": context, "id": activity_id, "type": kind, "actor": post.author.uri,
                "published": iso(published), "to": to, "cc": cc, "object": obj}
    if group is not None:  # as Lemmy: the group is the audience of the activity too
        activity["audience"] = group
    return activity


def create_activity(post: Post, urls: LocalUrls, in_group: InGroup | None = None,
                    case: dict | None = None) -> dict[str, Any]:
    """The Create that carries a local post (id = post URI + "/activity")."""
    note = post_to_note(post, urls, context=False, in_group=in_group, case=case)
    return _activity("Create", f"{post.uri}/activity", post, note, post.published, in_group and in_group.group,
                     with_case_context(POST_CONTEXT, urls, case))


def update_activity(post: Post, urls: LocalUrls, in_group: InGroup | None = None,
                    case: dict | None = None) -> dict[str, Any]:
    """The Update sent after an edit (or a case's change of state); its id names the edit's time, as Mastodon's
    do."""
    edited = post.edited_at or datetime.now(timezone.utc)
    return _activity("Update", f"{post.uri}#updates/{int(edited.timestamp())}", post,
                     post_to_note(post, urls, context=False, in_group=in_group, case=case), edited,
                     in_group and in_group.group, with_case_context(POST_CONTEXT, urls, case))


def delete_activity(post: Post, urls: LocalUrls, group: str | None = None) -> dict[str, Any]:
    """The Delete of a local post: a Tombstone, addressed to the post's own audience (and with the `audience` of
    the remote group whose thread it is in)."""
    _check(post)
    activity = _activity("Delete", f"{post.uri}#delete", post,
                         {"id": post.uri, "type": "Tombstone"}, datetime.now(timezone.utc), group)
    del activity["published"]
    return activity


def announce_activity(boost: Post, boosted: Post, urls: LocalUrls) -> dict[str, Any]:
    """The Announce of `boosted` by the author of the local `boost` row (id = the boost's URI)."""
    _check(boost)
    _check(boosted)
    if boost.to or boost.cc:
        to, cc = list(boost.to or []), list(boost.cc or [])
    else:
        to, cc = address(boost.visibility, followers_url=boost.author.followers_url or "",
                         mentioned=[boosted.author.uri])
    return {"@context": POST_CONTEXT, "id": boost.uri, "type": "Announce",
            "actor": boost.author.uri, "published": iso(boost.published), "to": to, "cc": cc,
            "object": boosted.uri}


def legacy_announce_id(boost: Post) -> str:
    """The id Announces of boosts had until December 2026 (the boost's URI + "/activity"): servers stored it,
    so it is still undone (services.social.undo_boost) and still answers (a redirect to the boost's URI)."""
    return f"{boost.uri}/activity"
