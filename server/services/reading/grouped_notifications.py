"""Mastodon 4.3's grouped notifications (/api/v2/notifications): a page of groups read through the one notification
query (server.services.reading.timelines.notifications, which already leaves out what the viewer may not see),
each group sized and sampled (server.services.reading.notification_groups), and rendered with the accounts and
statuses it names."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.actor_to_mastodon import iso
from server.db.models import Actor, Notification, Post
from server.services.moderation.hidden_from_viewers import viewpoint
from server.services.reading import timelines
from server.services.reading.notification_groups import Group, complete, gather, key_of, ungrouped_id
from server.services.reading.page_views import STATUS_TYPES, render_accounts, render_statuses
from server.services.reading.timelines import Page
from server.urls import LocalUrls

MAX_BATCHES = 10  # a page reads at most this many batches of notifications looking for its groups
PARTIAL_FIELDS = ("id", "acct", "url", "avatar", "avatar_static", "locked", "bot")


async def page_of_groups(session: AsyncSession, viewer: Actor, page: Page, *, grouped_types: frozenset[str] | None,
                         **query) -> tuple[list[Group], list[int]]:
    """Up to `page.limit` groups, newest first, and the notification ids the page covers (for its links)."""
    groups, covered = await _scan(session, viewer, page, grouped_types, query)
    if groups:
        await complete(session, viewer.id, groups, max(covered), await viewpoint(session, viewer))
    return sorted(groups, key=lambda g: g.page_max_id, reverse=True), covered


async def unread_groups(session: AsyncSession, viewer: Actor, page: Page, *, grouped_types: frozenset[str] | None,
                        **query) -> int:
    """How many groups the page (from the read marker, `page.limit` at most) holds."""
    return len((await _scan(session, viewer, page, grouped_types, query))[0])


async def _scan(session: AsyncSession, viewer: Actor, page: Page, grouped_types: frozenset[str] | None,
                query: dict) -> tuple[list[Group], list[int]]:
    """Read notifications in batches (oldest first for a min_id page) until the page's groups are known."""
    batch, cursor = max(page.limit * 2, 40), page
    items: list[Notification] = []
    row_ids: list[int] = []
    for _ in range(MAX_BATCHES):
        rows, shown = await timelines.notifications(session, viewer, replace(cursor, limit=batch), **query)
        items += list(reversed(shown)) if page.ascending else shown
        row_ids += [r.id for r in rows]
        if len(rows) < batch or len({key_of(i, grouped_types) for i in items}) > page.limit:
            break
        cursor = replace(cursor, min_id=max(row_ids)) if page.ascending else replace(cursor, max_id=min(row_ids))
    groups = gather(items, page.limit, grouped_types)
    return groups, [i for g in groups for i in g.page_ids] or row_ids


def _in_group(recipient_id: int, key: str):
    alone = ungrouped_id(key)
    return Notification.recipient_id == recipient_id, or_(
        Notification.group_key == key, Notification.id == alone if alone is not None else false())


async def one_group(session: AsyncSession, viewer: Actor, key: str) -> Group | None:
    """The group `key` as a whole (None when the viewer has no such group, or may not see it)."""
    newest = list((await session.execute(select(Notification).where(*_in_group(viewer.id, key))
                                         .order_by(Notification.id.desc()).limit(40))).scalars())
    shown = await timelines.visible_notifications(session, newest, viewer)
    if not shown:
        return None
    group = Group(key, shown[0], [n.id for n in shown])
    await complete(session, viewer.id, [group], shown[0].id, await viewpoint(session, viewer))
    return group


async def group_senders(session: AsyncSession, viewer: Actor, key: str, page: Page) -> tuple[list[Actor], list[int]]:
    """The accounts of the group's notifications (newest first, each once) and the notification ids paged."""
    query = select(Notification).where(*_in_group(viewer.id, key))
    rows = page.arrange(list((await session.execute(page.apply(query, Notification.id))).scalars()))
    shown = await timelines.visible_notifications(session, rows, viewer)
    ids = list(dict.fromkeys(n.from_actor_id for n in shown))
    actors = {a.id: a for a in (await session.execute(select(Actor).where(Actor.id.in_(ids)))).scalars()}
    return [actors[i] for i in ids if i in actors], [r.id for r in rows]


async def dismiss_group(session: AsyncSession, viewer: Actor, key: str) -> None:
    await session.execute(delete(Notification).where(*_in_group(viewer.id, key)))


async def render_groups(session: AsyncSession, groups: list[Group], viewer: Actor, urls: LocalUrls, domain: str,
                        *, partial_avatars: bool = False) -> dict:
    """Mastodon's GroupedNotificationsResults; a group whose status the viewer may not be shown is left out."""
    post_ids = {g.head.post_id for g in groups if g.head.post_id}
    posts = list((await session.execute(select(Post).where(Post.id.in_(post_ids)))).scalars()) if post_ids else []
    statuses = {s["id"]: s for s in await render_statuses(session, posts, viewer, urls, domain, "notifications")}
    shown = [g for g in groups if not g.head.post_id or str(g.head.post_id) in statuses]
    actor_ids = {i for g in shown for i in g.sample_ids}
    actors = list((await session.execute(select(Actor).where(Actor.id.in_(actor_ids)))).scalars()) if actor_ids else []
    accounts = {a["id"]: a for a in await render_accounts(session, actors, urls, domain)}
    full = {str(g.sample_ids[0]) for g in shown} if partial_avatars else set(accounts)
    out = {"accounts": [a for i, a in accounts.items() if i in full],
           "statuses": [statuses[str(p)] for p in dict.fromkeys(g.head.post_id for g in shown if g.head.post_id)],
           "notification_groups": [_group_entity(g, accounts) for g in shown]}
    if partial_avatars:
        out["partial_accounts"] = [{k: a[k] for k in PARTIAL_FIELDS} for i, a in accounts.items() if i not in full]
    return out


def _group_entity(group: Group, accounts: dict[str, dict]) -> dict:
    head = group.head
    entity = {"group_key": group.key, "notifications_count": group.count, "type": head.type,
              "most_recent_notification_id": str(group.page_max_id), "page_min_id": str(group.page_min_id),
              "page_max_id": str(group.page_max_id), "latest_page_notification_at": iso(head.created_at),
              "sample_account_ids": [str(i) for i in group.sample_ids if str(i) in accounts]}
    if head.type in STATUS_TYPES:
        entity["status_id"] = str(head.post_id) if head.post_id else None
    return entity
