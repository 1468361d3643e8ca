"""How the background queues are doing, for /readyz and /metrics: how many rows wait, and how long the oldest due
row nobody holds has waited (a worker that stopped working shows as that age growing)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Delivery, InboxItem

QUEUES = {"inbox": InboxItem, "deliveries": Delivery}


@dataclass(frozen=True)
class QueueState:
    queued: int  # waiting rows, due or backing off
    oldest_due_seconds: float  # how long the oldest due, unclaimed row has waited; 0 when none is due


async def queue_state(session: AsyncSession, model, now: datetime) -> QueueState:
    due = (model.next_try_at <= now) & (model.locked_until.is_(None) | (model.locked_until < now))
    queued, oldest = (await session.execute(
        select(func.count(), func.min(model.next_try_at).filter(due)).where(model.state == "queued"))).one()
    return QueueState(queued, (now - oldest).total_seconds() if oldest else 0.0)


async def queue_states(session: AsyncSession, now: datetime) -> dict[str, QueueState]:
    return {name: await queue_state(session, model, now) for name, model in QUEUES.items()}

