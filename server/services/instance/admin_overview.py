"""The admin dashboard's figures: members and who waits to join, the review queues (verifications,
reports, appeals, blocklist drafts), blocklists that fail to fetch, the hosts deliveries struggle
with, and the latest audit entries. Read-only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import (
    Account,
    AccountWarning,
    AuditEntry,
    BlocklistSubscription,
    DomainPolicyRecord,
    Report,
    VerificationRequest,
)
from server.services.federation.host_health import HostStats, host_stats
from server.services.moderation import audit
from server.services.verification.workflow import OPEN_STATES


@dataclass(frozen=True)
class Overview:
    members: int
    pending_registrations: int
    open_verifications: int
    open_reports: int
    pending_appeals: int
    drafts: int
    failing_lists: list[BlocklistSubscription]
    hosts: list[HostStats]  # those with queued or failing deliveries, sickest first
    queued_deliveries: int
    recent: list[AuditEntry]


async def _count(session: AsyncSession, model, *where) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def overview(session: AsyncSession, *, hosts: int = 10, recent: int = 8) -> Overview:
    stats = await host_stats(session)
    troubled = [s for s in stats if s.queued or s.failures or not s.available]
    failing = (await session.execute(select(BlocklistSubscription).where(
        BlocklistSubscription.failing_since.is_not(None)).order_by(BlocklistSubscription.failing_since))).scalars()
    return Overview(
        members=await _count(session, Account, Account.approved_at.is_not(None), Account.disabled_at.is_(None)),
        pending_registrations=await _count(session, Account, Account.approved_at.is_(None),
                                           Account.disabled_at.is_(None)),
        open_verifications=await _count(session, VerificationRequest, VerificationRequest.state.in_(OPEN_STATES)),
        open_reports=await _count(session, Report, Report.state == "open"),
        pending_appeals=await _count(session, AccountWarning, AccountWarning.appeal_state == "pending"),
        drafts=await _count(session, DomainPolicyRecord, DomainPolicyRecord.state == "draft"),
        failing_lists=list(failing),
        hosts=troubled[:hosts],
        queued_deliveries=sum(s.queued for s in stats),
        recent=await audit.entries(session, limit=recent),
    )
