"""The verification audit log: every step of every verification (who, when, what, which evidence by its
SHA-256), appended and never changed; the database refuses UPDATE and DELETE on the table."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, VerificationAudit
from server.db.types import utcnow

ACTIONS = ("submitted", "responded", "approved", "rejected", "info_requested", "granted", "revoked", "expired",
           "reminded", "evidence_deleted", "evidence_viewed", "checked")


async def audit(session: AsyncSession, action: str, *, by: Account | None, subject: Account | None,
                request_id: int | None = None, verification_id: int | None = None,
                evidence_sha256: str | None = None, **detail: object) -> VerificationAudit:
    """Append one entry; `by` None means the system (expiry, clean-up)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = VerificationAudit(
        at=utcnow(), action=action, by_account_id=by.id if by else None,
        by_username=by.actor.username if by else None, subject_account_id=subject.id if subject else None,
        subject_username=subject.actor.username if subject else None, request_id=request_id,
        verification_id=verification_id, evidence_sha256=evidence_sha256,
        detail={k: v for k, v in detail.items() if v is not None})
    session.add(entry)
    await session.flush()
    return entry


async def audit_entries(session: AsyncSession, *, subject_account_id: int | None = None,
                        request_id: int | None = None, limit: int = 100,
                        max_id: int | None = None) -> list[VerificationAudit]:
    query = select(VerificationAudit)
    if subject_account_id is not None:
        query = query.where(VerificationAudit.subject_account_id == subject_account_id)
    if request_id is not None:
        query = query.where(VerificationAudit.request_id == request_id)
    if max_id is not None:
        query = query.where(VerificationAudit.id < max_id)
    return list((await session.execute(query.order_by(VerificationAudit.id.desc()).limit(limit))).scalars())


def audit_json(entry: VerificationAudit) -> dict:
    return {"id": str(entry.id), "at": entry.at.isoformat().replace("+00:00", "Z"), "action": entry.action,
            "by": entry.by_username, "subject": entry.subject_username,
            "request_id": str(entry.request_id) if entry.request_id else None,
            "verification_id": str(entry.verification_id) if entry.verification_id else None,
            "evidence_sha256": entry.evidence_sha256, "detail": entry.detail or {}}
