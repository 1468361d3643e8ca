"""Read markers: where a member stopped reading their home timeline and notifications, shared by their apps."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Marker
from server.db.types import utcnow

TIMELINES = ("home", "notifications")


async def read_markers(session: AsyncSession, actor_id: int, timelines: list[str]) -> dict[str, Marker]:
    wanted = [t for t in timelines if t in TIMELINES]
    if not wanted:
        return {}
    rows = await session.execute(select(Marker).where(Marker.actor_id == actor_id, Marker.timeline.in_(wanted)))
    return {m.timeline: m for m in rows.scalars()}


async def save_marker(session: AsyncSession, actor_id: int, timeline: str, last_read_id: int) -> Marker:
    """Move the marker (each save counts one version up, as Mastodon's do); the caller commits."""
    row = (await session.execute(select(Marker).where(Marker.actor_id == actor_id, Marker.timeline == timeline)
                                 .with_for_update())).scalar_one_or_none()
    if row is None:
        row = Marker(actor_id=actor_id, timeline=timeline, last_read_id=last_read_id, version=1, updated_at=utcnow())
        session.add(row)
    else:
        row.last_read_id, row.version, row.updated_at = last_read_id, row.version + 1, utcnow()
    await session.flush()
    return row
