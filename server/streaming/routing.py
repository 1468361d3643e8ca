"""Who receives a stream event, and the payload each receives (rendered as that viewer sees it).

- `user`: a post only if it is in the viewer's home timeline (fan-out already applied visibility, follows
  and blocks) and its author is on none of the viewer's exclusive lists; notifications only to their
  recipient, and only with `read:notifications`.
- `list`: a post only if it is in the list's timeline (server.services.reading.lists), to the list's owner.
- `public*` and `hashtag*`: original posts (not boosts) that are public, or members-only (`local`: every
  subscriber holds a member's token); never to a viewer who blocks the author or whom the author blocks.
- `direct`: `conversation` events for new direct posts, to their participants (streaming/conversations.py).
- `delete`: to those the deleted post was streamed to, by a snapshot taken before the row went (on a
  list's stream: to owners whose home timeline had it).
- `announcement`, `announcement.delete`: to every member's `user` streams (each sees their own reactions).
- `filters_changed`: to the member's own `user` streams. A post their keyword filters hide in a context
  (home for `user`, public for `public*` and `hashtag*`, notifications) is not streamed there.
"""
from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Announcement, Block, HomeTimelineEntry, Notification, Post, PostTag
from server.runtime import Runtime
from server.services.accounts.scopes import covers
from server.services.instance import announcements
from server.services.reading.filter_matching import action_in
from server.services.reading.lists import excluding_owners, lists_showing
from server.services.reading.page_views import render_notifications, render_statuses
from server.streaming import conversations
from server.streaming.subscribers import Message, Stream, Subscriber

PUBLIC_VISIBILITIES = ("public", "local")


def _dumps(entity) -> str:
    return json.dumps(entity, ensure_ascii=False, separators=(",", ":"))


def public_match(stream: Stream, *, local: bool, media: bool, tags: set[str]) -> bool:
    """Whether a public (or members-only) original post belongs on a public or hashtag stream."""
    parts = stream.name.split(":")
    if parts[0] == "hashtag":
        return stream.tag in tags and (len(parts) == 1 or local)
    if parts[0] != "public":
        return False
    where = parts[1] if len(parts) > 1 and parts[1] in ("local", "remote") else None
    if where == "local" and not local or where == "remote" and local:
        return False
    return media or parts[-1] != "media"


def _pairs(subscribers: list[Subscriber], names: tuple[str, ...]) -> list[tuple[Subscriber, Stream]]:
    return [(s, st) for s in subscribers for st in s.streams if st.name.split(":")[0] in names]


async def _blocked(session: AsyncSession, author_id: int, viewer_ids: set[int]) -> set[int]:
    if not viewer_ids:
        return set()
    rows = await session.execute(select(Block.actor_id, Block.target_id).where(or_(
        (Block.actor_id == author_id) & Block.target_id.in_(viewer_ids),
        (Block.target_id == author_id) & Block.actor_id.in_(viewer_ids))))
    return {target if actor == author_id else actor for actor, target in rows.all()}


async def _status_deliveries(session: AsyncSession, kind: str, post_id: int, subscribers: list[Subscriber],
                             runtime: Runtime) -> list[tuple[Subscriber, Message]]:
    post = await session.get(Post, post_id)
    if post is None:
        return []
    wanted: list[tuple[Subscriber, Stream]] = []
    home = [(s, st) for s, st in _pairs(subscribers, ("user",)) if st.name == "user"]
    if home:
        owners = set((await session.execute(select(HomeTimelineEntry.owner_id).where(
            HomeTimelineEntry.post_id == post.id,
            HomeTimelineEntry.owner_id.in_({s.viewer_id for s, _ in home})))).scalars())
        owners -= await excluding_owners(session, post.author_id, owners)
        wanted += [(s, st) for s, st in home if s.viewer_id in owners]
    on_lists = _pairs(subscribers, ("list",))
    if on_lists:
        showing = await lists_showing(session, post.id, {(int(st.tag), s.viewer_id) for s, st in on_lists})
        wanted += [(s, st) for s, st in on_lists if (int(st.tag), s.viewer_id) in showing]
    public = _pairs(subscribers, ("public", "hashtag"))
    if public and post.boost_of_id is None and post.visibility in PUBLIC_VISIBILITIES:
        tags = set((await session.execute(select(PostTag.tag).where(PostTag.post_id == post.id))).scalars())
        matching = [(s, st) for s, st in public
                    if public_match(st, local=post.local, media=bool(post.attachments), tags=tags)]
        blocked = await _blocked(session, post.author_id, {s.viewer_id for s, _ in matching})
        wanted += [(s, st) for s, st in matching if s.viewer_id not in blocked]
    rendered = await _render_for(session, post, {s.viewer_id for s, _ in wanted}, runtime)
    out = [(s, Message(st, kind, rendered[s.viewer_id][0])) for s, st in wanted if s.viewer_id in rendered
           and action_in(rendered[s.viewer_id][1], "home" if st.name == "user" else "public") != "hide"]
    if kind == "update":
        out += await conversations.conversation_deliveries(session, post, subscribers, runtime)
    return out


async def _render_for(session: AsyncSession, post: Post, viewer_ids: set[int],
                      runtime: Runtime) -> dict[int, tuple[str, list[dict]]]:
    """The status as each viewer sees it (their favourites, boosts and keyword filters differ), and the
    filters that matched it (which may hide it from some of their streams)."""
    if not viewer_ids:
        return {}
    viewers = (await session.execute(select(Actor).where(Actor.id.in_(viewer_ids)))).scalars()
    out = {}
    for viewer in viewers:
        rendered = await render_statuses(session, [post], viewer, runtime.urls, runtime.settings.domain)
        if rendered:
            out[viewer.id] = (_dumps(rendered[0]), rendered[0]["filtered"])
    return out


def _delete_deliveries(data: dict, subscribers: list[Subscriber]) -> list[tuple[Subscriber, Message]]:
    owners = set(data.get("owners") or ())
    payload = str(data["post_id"])
    out = [(s, Message(st, "delete", payload)) for s, st in _pairs(subscribers, ("user", "list"))
           if st.name in ("user", "list") and s.viewer_id in owners]
    if not data.get("boost") and data.get("visibility") in PUBLIC_VISIBILITIES:
        tags = set(data.get("tags") or ())
        out += [(s, Message(st, "delete", payload)) for s, st in _pairs(subscribers, ("public", "hashtag"))
                if public_match(st, local=bool(data.get("local")), media=bool(data.get("media")), tags=tags)]
    return out


async def _notification_deliveries(session: AsyncSession, ids: list[int], subscribers: list[Subscriber],
                                   runtime: Runtime) -> list[tuple[Subscriber, Message]]:
    listening: dict[int, list[tuple[Subscriber, Stream]]] = defaultdict(list)
    for s, st in _pairs(subscribers, ("user",)):
        if covers(s.scopes, "read:notifications"):
            listening[s.viewer_id].append((s, st))
    if not listening:
        return []
    items = list((await session.execute(select(Notification).where(
        Notification.id.in_(ids), Notification.recipient_id.in_(listening)).order_by(Notification.id))).scalars())
    out = []
    for item in items:
        viewer = await session.get(Actor, item.recipient_id)
        rendered = await render_notifications(session, [item], viewer, runtime.urls, runtime.settings.domain)
        if rendered:
            payload = _dumps(rendered[0])
            out += [(s, Message(st, "notification", payload)) for s, st in listening[item.recipient_id]]
    return out


async def _announcement_deliveries(session: AsyncSession, kind: str, announcement_id: int,
                                   subscribers: list[Subscriber]) -> list[tuple[Subscriber, Message]]:
    """Every member's `user` streams: the announcement as they see it, or the id of the one deleted."""
    home = [(s, st) for s, st in _pairs(subscribers, ("user",)) if st.name == "user"]
    if kind == "announcement.delete":
        return [(s, Message(st, kind, str(announcement_id))) for s, st in home]
    row = await session.get(Announcement, announcement_id)
    if row is None:
        return []
    out = []
    for s, st in home:
        [entity] = await announcements.render(session, [row], s.viewer_id)
        out.append((s, Message(st, kind, _dumps(entity))))
    return out


async def deliveries(session: AsyncSession, kind: str, data: dict, subscribers: list[Subscriber],
                     runtime: Runtime) -> list[tuple[Subscriber, Message]]:
    if not subscribers:
        return []
    if kind in ("update", "status.update"):
        return await _status_deliveries(session, kind, int(data["post_id"]), subscribers, runtime)
    if kind == "delete":
        return _delete_deliveries(data, subscribers) + conversations.delete_deliveries(data, subscribers)
    if kind == "notification":
        return await _notification_deliveries(session, [int(i) for i in data.get("ids", [])], subscribers, runtime)
    if kind in ("announcement", "announcement.delete"):
        return await _announcement_deliveries(session, kind, int(data["announcement_id"]), subscribers)
    if kind == "filters_changed":  # the member's apps reload their filters (as on Mastodon)
        return [(s, Message(st, kind, "")) for s, st in _pairs(subscribers, ("user",))
                if st.name == "user" and s.viewer_id == data.get("actor_id")]
    return []
