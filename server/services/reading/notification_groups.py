"""Grouped notifications as Mastodon 4.3 makes them: favourites and boosts of one post, and follows, that come
within hours of each other share a `group_key` (given as they are made); every other notification is a group of
its own (`ungrouped-<id>`). A page of groups is read through the one notification query
(server.services.reading.timelines.notifications), so both API versions show the same notifications."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Notification
from server.services.moderation.hidden_from_viewers import Viewpoint, notification_hidden

GROUPABLE = ("favourite", "reblog", "follow")
HOUR = 3600
MAX_SPAN_HOURS = 12  # a group keeps taking notifications until it spans this many hours (Mastodon's)
SAMPLE_ACCOUNTS = 8


async def group_key_for(session: AsyncSession, kind: str, recipient_id: int, post_id: int | None,
                        now: datetime) -> str | None:
    """The key of the group a new notification joins (None: it stays alone): the hour it came in, or the hour
    of the group it continues when that began less than MAX_SPAN_HOURS ago."""
    if kind not in GROUPABLE:
        return None
    prefix = f"{kind}-{post_id}-" if kind != "follow" else "follow-"
    hour = int(now.timestamp()) // HOUR
    latest = await session.scalar(select(Notification.group_key).where(
        Notification.recipient_id == recipient_id, Notification.group_key.like(f"{prefix}%"))
        .order_by(Notification.id.desc()).limit(1))
    previous = int(latest.rsplit("-", 1)[1]) if latest else None
    return f"{prefix}{previous if previous is not None and hour < previous + MAX_SPAN_HOURS else hour}"


def key_of(item: Notification, grouped_types: frozenset[str] | None = None) -> str:
    """The group a notification is shown in; `grouped_types` narrows which types a client wants grouped."""
    if item.group_key and (grouped_types is None or item.type in grouped_types):
        return item.group_key
    return f"ungrouped-{item.id}"


def ungrouped_id(key: str) -> int | None:
    digits = key.removeprefix("ungrouped-")
    return int(digits) if key.startswith("ungrouped-") and digits.isdigit() and len(digits) < 20 else None


@dataclass
class Group:
    """One group as a page shows it: its newest notification on the page (`head`) and the page's bounds in it."""

    key: str
    head: Notification
    page_ids: list[int] = field(default_factory=list)
    count: int = 1
    sample_ids: list[int] = field(default_factory=list)

    @property
    def page_max_id(self) -> int:
        return max(self.page_ids)

    @property
    def page_min_id(self) -> int:
        return min(self.page_ids)


def gather(items: list[Notification], limit: int, grouped_types: frozenset[str] | None) -> list[Group]:
    """The first `limit` groups of `items` (in the order read), each with its notifications among them."""
    groups: dict[str, Group] = {}
    for item in items:
        key = key_of(item, grouped_types)
        if key not in groups:
            if len(groups) == limit:
                break
            groups[key] = Group(key, item)
        groups[key].page_ids.append(item.id)
        if item.id > groups[key].head.id:
            groups[key].head = item
    return list(groups.values())


async def complete(session: AsyncSession, recipient_id: int, groups: list[Group], upper: int, view: Viewpoint) -> None:
    """Each real group's size and newest senders up to `upper` (the page's newest id), without the senders `view`
    hides (blocked, muted, of suspended domains: as the notification list hides them), in three queries for the
    page; a lone notification is its own sample."""
    for group in groups:
        group.sample_ids = [group.head.from_actor_id]
    real = {g.key: g for g in groups if not g.key.startswith("ungrouped-")}
    if not real:
        return
    hidden_ids = view.blocked_ids | view.muted_notifications
    mine = (Notification.recipient_id == recipient_id, Notification.group_key.in_(real), Notification.id <= upper,
            Notification.from_actor_id.not_in(hidden_ids or {0}))
    for key, count in (await session.execute(select(Notification.group_key, func.count()).where(*mine)
                                             .group_by(Notification.group_key))).all():
        real[key].count = max(1, int(count))
    senders = await _newest_senders(session, mine)
    actors = {a.id: a for a in (await session.execute(select(Actor).where(
        Actor.id.in_({i for ids in senders.values() for i in ids})))).scalars()}
    for key, ids in senders.items():
        shown = [i for i in dict.fromkeys(ids) if i in actors and not notification_hidden(view, actors[i])]
        real[key].sample_ids = shown[:SAMPLE_ACCOUNTS] or real[key].sample_ids


async def _newest_senders(session: AsyncSession, conditions: tuple) -> dict[str, list[int]]:
    """Per group key, the senders of its newest notifications (a few more than a sample: some repeat)."""
    rank = func.row_number().over(partition_by=Notification.group_key, order_by=Notification.id.desc())
    ranked = select(Notification.group_key, Notification.from_actor_id, rank.label("n")).where(*conditions).subquery()
    rows = await session.execute(select(ranked.c.group_key, ranked.c.from_actor_id)
                                 .where(ranked.c.n <= SAMPLE_ACCOUNTS * 4).order_by(ranked.c.group_key, ranked.c.n))
    out: dict[str, list[int]] = {}
    for key, sender in rows.all():
        out.setdefault(key, []).append(sender)
    return out
