"""The audit log: who did what to whom, when and why. Append-only.

This module is the only writer of `audit_log` and it offers no update or delete: an entry, once
written in the same transaction as the change it records, stays. (A database administrator can
still edit rows by hand; the log guards against the application, not against the host.)
Actors are recorded by id and by name, so that an entry still names its author after the
account is gone.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, AuditEntry

SYSTEM = "system"  # actions without a person behind them (a scheduled list refresh)


def actor_name(actor: Actor | None, fallback: str = SYSTEM) -> str:
    return f"{actor.username}@{actor.domain}" if actor is not None else fallback


async def record(session: AsyncSession, actor: Actor | None, action: str, target_type: str, target: str,
                 reason: str = "", details: dict | None = None, *, by: str | None = None) -> AuditEntry:
    """Append one entry (the caller commits, with the change it records). `by` names a non-member
    author, such as ``cli`` or ``system``, when `actor` is None."""
    entry = AuditEntry(actor_id=actor.id if actor is not None else None,
                       actor_name=actor_name(actor, by or SYSTEM), action=action, target_type=target_type,
                       target=str(target)[:2000], reason=(reason or "")[:5000], details=details or {})
    session.add(entry)
    return entry


async def entries(session: AsyncSession, *, action: str | None = None, target: str | None = None,
                  since: datetime | None = None, limit: int = 100, max_id: int | None = None) -> list[AuditEntry]:
    """Entries newest first, optionally of one action, about one target, or after a moment."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if max_id is not None:
        query = query.where(AuditEntry.id < max_id)
    return list((await session.execute(query.order_by(AuditEntry.id.desc()).limit(limit))).scalars())


def entry_to_json(entry: AuditEntry) -> dict:
    return {"id": str(entry.id), "created_at": entry.created_at.isoformat().replace("+00:00", "Z"),
            "actor": entry.actor_name, "action": entry.action, "target_type": entry.target_type,
            "target": entry.target, "reason": entry.reason, "details": entry.details}


async def actions_used(session: AsyncSession) -> list[str]:
    """The actions the log holds entries of, for filtering it."""
    return sorted((await session.execute(select(AuditEntry.action).distinct())).scalars())
