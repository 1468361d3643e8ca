"""Member verification: requests and their evidence, granted verifications (with the signed attestation
that travels), the append-only audit log, and what we learnt of remote actors' attestations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.models.base import Base
from server.db.types import BigId, Json, UTCDateTime, utcnow

REQUEST_STATES = ("pending", "info_requested", "approved", "rejected")


class VerificationRequest(Base):
    """A member's request to be verified. The credential number stays here, for reviewers only."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    profession: Mapped[str] = mapped_column(String(32))
    specialty_code: Mapped[str] = mapped_column(String(16))
    credential_type: Mapped[str] = mapped_column(String(32))
    credential_number: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    member_note: Mapped[str | None] = mapped_column(Text)
    reviewer_note: Mapped[str | None] = mapped_column(Text)  # the rejection reason or the question asked
    evidence_path: Mapped[str | None] = mapped_column(Text)  # relative to the data directory
    evidence_name: Mapped[str | None] = mapped_column(Text)
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What online credential checkers said (server.services.verification.online_checks): for the reviewer only.
    online_checks: Mapped[list | None] = mapped_column(Json)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Verification(Base):
    """A granted verification: current while not revoked and before `valid_until`. `attestation` is the
    signed credential served in the member's actor document; `credential_id` its id (for revocation)."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("verification_requests.id", ondelete="SET NULL"))
    credential_id: Mapped[str] = mapped_column(Text, unique=True)
    profession: Mapped[str] = mapped_column(String(32))
    specialty_code: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attestation: Mapped[dict] = mapped_column(Json)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the expiry was processed
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerificationAudit(Base):
    """One step of the verification workflow. Append-only (database triggers refuse UPDATE and DELETE);
    no foreign keys, so that the record outlives the accounts it names."""

    __tablename__ = "verification_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    by_account_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the system (expiry)
    by_username: Mapped[str | None] = mapped_column(String(255))
    subject_account_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    subject_username: Mapped[str | None] = mapped_column(String(255))
    request_id: Mapped[int | None] = mapped_column(BigInteger)
    verification_id: Mapped[int | None] = mapped_column(BigInteger)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(Json, default=dict)


class RemoteAttestation(Base):
    """The attestation a remote actor carries, as we checked it: `state` valid, refused (with `reason`)
    or revoked. Whether a badge shows also depends on the issuer being trusted, decided when shown."""

    __tablename__ = "remote_attestations"

    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    credential_id: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(Text)
    issuer_domain: Mapped[str | None] = mapped_column(String(255), index=True)
    profession: Mapped[str | None] = mapped_column(String(64))
    specialty_code: Mapped[str | None] = mapped_column(String(32))
    specialty_name: Mapped[str | None] = mapped_column(Text)
    jurisdiction: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
