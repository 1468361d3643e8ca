"""The verification workflow: a member asks (with the credential checked at once), a reviewer approves,
rejects with a reason or asks for more; an admin may also grant or revoke directly. Verifications expire
and ask for renewal. Every step is audited; each decision reaches the member as a notification and a mail
(appended to `mail`, for the caller to send after committing) and, when the verified status changes,
the member's followers as an actor Update."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.ids import snowflake
from server.db.models import Account, Verification, VerificationRequest
from server.db.types import utcnow
from server.i18n import N_, format_date, gettext, use_locale
from server.services.accounts.preferences import mail_locale
from server.services.accounts.professional_profile import (
    check_jurisdiction,
    check_profession,
    check_specialty,
    get_profile,
)
from server.services.accounts.specialties import specialty_name
from server.services.federation.instance_actor import get_instance_actor
from server.services.instance.mail import Message
from server.services.instance.settings import evidence_retention_days, verification_valid_days
from server.services.moderation import roles
from server.services.posts.fanout import notify
from server.services.verification import attestations_issued as attestations
from server.services.verification.audit import audit
from server.services.verification.credentials import CREDENTIAL_TYPES, validate_credential
from server.services.verification.evidence import StoredEvidence, delete_evidence, store_evidence
from server.settings import Settings
from server.storage import Storage
from server.urls import LocalUrls

NOTIFICATION = "curbside.verification"
OPEN_STATES = ("pending", "info_requested")
REMIND_BEFORE = timedelta(days=30)
MAX_NOTE = 1000


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


@dataclass(frozen=True)
class Submission:
    profession: str
    specialty: str
    credential_type: str
    credential_number: str
    jurisdiction: str
    note: str | None = None
    evidence: Upload | None = None


@dataclass(frozen=True)
class Claims:
    profession: str
    specialty_code: str
    jurisdiction: str


def check_claims(profession: str, specialty: str, jurisdiction: str, credential_type: str | None = None) -> Claims:
    """Profession, NUCC specialty and jurisdiction, checked and normalised (a bare US state becomes US-XX)."""
    profession = check_profession((profession or "").strip())
    specialty_code = check_specialty(specialty, profession)
    raw = (jurisdiction or "").strip().upper()
    if credential_type in ("us_state_license", "npi") and len(raw) == 2 and raw != "US":
        raw = f"US-{raw}"
    return Claims(profession, specialty_code, check_jurisdiction(raw))


# One sentence per kind of text: a translated sentence cannot take an English noun as a value.
_MISSING = {"answer": N_("please give an answer"), "reason": N_("please give a reason"),
            "question": N_("please give a question")}
_TOO_LONG = {"note": N_("the note must be at most %(limit)s characters"),
             "answer": N_("the answer must be at most %(limit)s characters"),
             "reason": N_("the reason must be at most %(limit)s characters"),
             "question": N_("the question must be at most %(limit)s characters")}
# A request's state as the refusal of a second decision says it.
_DECIDED = {"pending": N_("this request is pending already"),
            "info_requested": N_("this request is waiting for the member's answer already"),
            "approved": N_("this request is approved already"), "rejected": N_("this request is rejected already")}
_NOT_PENDING = {"info_requested": N_("this request is waiting for the member's answer"),
                "approved": N_("this request is approved"), "rejected": N_("this request is rejected")}


def _note(text: str | None, what: str, required: bool = False) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise ServiceError(_MISSING[what])
    if len(text) > MAX_NOTE:
        raise ServiceError(_TOO_LONG[what], values={"limit": MAX_NOTE})
    return text or None


async def _store(storage: Storage, settings: Settings, upload: Upload | None) -> StoredEvidence | None:
    if upload is None:
        return None
    return await store_evidence(storage, settings, upload.data, upload.filename, upload.content_type)


def _attach(request: VerificationRequest, stored: StoredEvidence | None) -> None:
    if stored is not None:
        request.evidence_path, request.evidence_name = stored.path, stored.name
        request.evidence_type, request.evidence_sha256 = stored.content_type, stored.sha256
        request.evidence_deleted_at = None


async def submit_request(session: AsyncSession, settings: Settings, account: Account,
                         submission: Submission, *, storage: Storage) -> VerificationRequest:
    """File a request; ServiceError (422) names what is wrong, the credential number included."""
    if submission.credential_type not in CREDENTIAL_TYPES:
        raise ServiceError(N_("credential_type must be one of %(choices)s"),
                           values={"choices": ", ".join(CREDENTIAL_TYPES)})
    claims = check_claims(submission.profession, submission.specialty, submission.jurisdiction,
                          submission.credential_type)
    number = validate_credential(submission.credential_type, submission.credential_number, claims.jurisdiction)
    note = _note(submission.note, "note")
    open_request = (await session.execute(select(VerificationRequest.id).where(
        VerificationRequest.account_id == account.id, VerificationRequest.state.in_(OPEN_STATES)))).first()
    if open_request:
        raise ServiceError(N_("you already have a request under review"), Kind.CONFLICT)
    stored = await _store(storage, settings, submission.evidence)
    request = VerificationRequest(account_id=account.id, profession=claims.profession,
                                  specialty_code=claims.specialty_code, credential_type=submission.credential_type,
                                  credential_number=number, jurisdiction=claims.jurisdiction, state="pending",
                                  member_note=note)
    _attach(request, stored)
    session.add(request)
    await session.flush()
    await audit(session, "submitted", by=account, subject=account, request_id=request.id,
                evidence_sha256=request.evidence_sha256, credential_type=request.credential_type,
                profession=request.profession, specialty=request.specialty_code, jurisdiction=request.jurisdiction)
    return request


async def respond(session: AsyncSession, settings: Settings, request: VerificationRequest, account: Account,
                  note: str | None, evidence: Upload | None, *, storage: Storage) -> VerificationRequest:
    """The member answers a reviewer's question: the request goes back to the queue."""
    if request.account_id != account.id or request.state != "info_requested":
        raise ServiceError(N_("this request is not waiting for your answer"), Kind.CONFLICT)
    note = _note(note, "answer", required=evidence is None)
    stored = await _store(storage, settings, evidence)
    if stored is not None:
        await delete_evidence(storage, request.evidence_path)
        _attach(request, stored)
    request.member_note, request.state = note or request.member_note, "pending"
    await audit(session, "responded", by=account, subject=account, request_id=request.id,
                evidence_sha256=request.evidence_sha256)
    return request


async def my_requests(session: AsyncSession, account: Account) -> list[VerificationRequest]:
    query = select(VerificationRequest).where(VerificationRequest.account_id == account.id)
    return list((await session.execute(query.order_by(VerificationRequest.id.desc()))).scalars())


async def review_queue(session: AsyncSession, states: tuple[str, ...] = OPEN_STATES) -> list[VerificationRequest]:
    query = select(VerificationRequest).where(VerificationRequest.state.in_(states))
    return list((await session.execute(query.order_by(VerificationRequest.id))).scalars())


async def _reviewer(session: AsyncSession, account: Account | None, member_id: int, what: str) -> None:
    """Staff only, never on their own verification, and a moderator on members' only (ServiceError, FORBIDDEN)."""
    if account is not None and account.role not in ("admin", "moderator"):
        raise ServiceError(N_("only moderators and admins review verifications"), Kind.FORBIDDEN)
    member = await session.get(Account, member_id)
    actor_id = member.actor_id if member else None
    await roles.check_decision(session, account, (actor_id,), what, about=actor_id)


async def _decided(session: AsyncSession, settings: Settings, request: VerificationRequest, state: str,
                   reviewer: Account | None, storage: Storage) -> Account:
    if request.state not in OPEN_STATES:
        raise ServiceError(_DECIDED.get(request.state, N_("this request is decided already")), Kind.CONFLICT)
    request.state, request.decided_at = state, utcnow()
    request.decided_by_id = reviewer.id if reviewer else None
    member = await session.get(Account, request.account_id)
    if request.evidence_path and await evidence_retention_days(session, settings) == 0:
        await delete_evidence(storage, request.evidence_path)
        request.evidence_deleted_at = utcnow()
    return member


async def _tell(session: AsyncSession, settings: Settings, member: Account, reviewer: Account | None,
                subject: str, body: str, mail: list[Message], verification: Verification | None = None,
                **values: str) -> None:
    """A notification (from the reviewer, or the instance actor) and a mail to the member, in her language:
    `subject` and `body` are msgids, filled with `values` and, given `verification`, its `what` and `until`."""
    sender = reviewer.actor_id if reviewer else None
    if sender is None or sender == member.actor_id:
        instance = await get_instance_actor(session, LocalUrls(settings.base_url))
        sender = instance.id if instance else None
    if sender is not None:
        await notify(session, NOTIFICATION, [member.actor_id], sender)
    with use_locale(mail_locale(member, settings)):
        if verification is not None:
            values.update(what=_describe(verification), until=format_date(verification.valid_until))
        mail.append(Message(member.email, f"{gettext(subject)} — {settings.instance_name}", gettext(body) % values))


def _describe(v: Verification) -> str:
    specialty = specialty_name(v.specialty_code)
    profession = gettext(attestations.profession_label(v.profession))
    return f"{profession}, {gettext(specialty) if specialty else v.specialty_code}"


async def _grant(session: AsyncSession, settings: Settings, member: Account, by: Account | None, claims: Claims,
                 request_id: int | None) -> Verification:
    now = utcnow()
    for old in (await attestations.current_verifications(session, [member.actor_id], now)).values():
        old.revoked_at, old.revoke_reason = now, "superseded"
    urls = LocalUrls(settings.base_url)
    days = await verification_valid_days(session, settings)
    verification = Verification(id=snowflake(), account_id=member.id, request_id=request_id,
                                profession=claims.profession, specialty_code=claims.specialty_code,
                                jurisdiction=claims.jurisdiction, valid_from=now.replace(microsecond=0),
                                valid_until=now.replace(microsecond=0) + timedelta(days=days),
                                granted_by_id=by.id if by else None, attestation={})
    verification.credential_id = attestations.credential_url(urls, verification.id)
    verification.attestation = attestations.sign_verification(await attestations.signing_key(session), urls,
                                                              member.actor, verification)
    session.add(verification)
    profile = await get_profile(session, member.actor_id)
    profile.profession, profile.specialty_code = claims.profession, claims.specialty_code
    profile.jurisdiction = claims.jurisdiction
    await session.flush()
    await attestations.publish_actor_update(session, settings, member.actor)
    return verification


async def approve(session: AsyncSession, settings: Settings, request: VerificationRequest, reviewer: Account | None,
                  mail: list[Message], *, storage: Storage, via: str | None = None) -> Verification:
    await _reviewer(session, reviewer, request.account_id, "a verification request")
    member = await _decided(session, settings, request, "approved", reviewer, storage)
    claims = Claims(request.profession, request.specialty_code, request.jurisdiction)
    verification = await _grant(session, settings, member, reviewer, claims, request.id)
    await audit(session, "approved", by=reviewer, subject=member, request_id=request.id,
                verification_id=verification.id, evidence_sha256=request.evidence_sha256,
                valid_until=verification.valid_until.isoformat(), via=via)
    await _tell(session, settings, member, reviewer, N_("You are verified"),
                N_("Your verification as %(what)s was approved. It is valid until %(until)s.\n"), mail, verification)
    return verification


async def reject(session: AsyncSession, settings: Settings, request: VerificationRequest, reviewer: Account | None,
                 reason: str, mail: list[Message], *, storage: Storage, via: str | None = None
                 ) -> VerificationRequest:
    await _reviewer(session, reviewer, request.account_id, "a verification request")
    reason = _note(reason, "reason", required=True)
    member = await _decided(session, settings, request, "rejected", reviewer, storage)
    request.reviewer_note = reason
    await audit(session, "rejected", by=reviewer, subject=member, request_id=request.id,
                evidence_sha256=request.evidence_sha256, reason=reason, via=via)
    await _tell(session, settings, member, reviewer, N_("Your verification request was declined"),
                N_("Your verification request was declined: %(reason)s\n\nYou may send a new request.\n"), mail,
                reason=reason)
    return request


async def request_info(session: AsyncSession, settings: Settings, request: VerificationRequest,
                       reviewer: Account | None, message: str, mail: list[Message]) -> VerificationRequest:
    await _reviewer(session, reviewer, request.account_id, "a verification request")
    message = _note(message, "question", required=True)
    if request.state != "pending":
        raise ServiceError(_NOT_PENDING.get(request.state, N_("this request is decided already")), Kind.CONFLICT)
    request.state, request.reviewer_note = "info_requested", message
    member = await session.get(Account, request.account_id)
    await audit(session, "info_requested", by=reviewer, subject=member, request_id=request.id,
                evidence_sha256=request.evidence_sha256, question=message)
    await _tell(session, settings, member, reviewer, N_("More information needed for your verification"),
                N_("A reviewer asks: %(question)s\n\nAnswer from your verification requests page.\n"), mail,
                question=message)
    return request


async def grant(session: AsyncSession, settings: Settings, member: Account, by: Account | None, *, profession: str,
                specialty: str, jurisdiction: str, mail: list[Message], via: str | None = None) -> Verification:
    """An admin verifies a member directly (no request); audited like an approval."""
    await _reviewer(session, by, member.id, "a verification")
    claims = check_claims(profession, specialty, jurisdiction)
    verification = await _grant(session, settings, member, by, claims, None)
    await audit(session, "granted", by=by, subject=member, verification_id=verification.id,
                profession=claims.profession, specialty=claims.specialty_code, jurisdiction=claims.jurisdiction,
                via=via)
    await _tell(session, settings, member, by, N_("You are verified"),
                N_("You were verified as %(what)s until %(until)s.\n"), mail, verification)
    return verification


async def revoke(session: AsyncSession, settings: Settings, member: Account, by: Account | None, reason: str,
                 mail: list[Message], *, via: str | None = None) -> Verification:
    """Withdraw the member's verification: on the revocation list at once, and an Update to followers."""
    await _reviewer(session, by, member.id, "a verification")
    reason = _note(reason, "reason", required=True)
    current = (await attestations.current_verifications(session, [member.actor_id])).get(member.actor_id)
    if current is None:
        raise ServiceError(N_("this member has no verification in force"), Kind.CONFLICT)
    current.revoked_at, current.revoke_reason = utcnow(), reason
    await session.flush()
    await attestations.publish_actor_update(session, settings, member.actor)
    await audit(session, "revoked", by=by, subject=member, verification_id=current.id, reason=reason, via=via)
    await _tell(session, settings, member, by, N_("Your verification was withdrawn"),
                N_("Your verification as %(what)s was withdrawn: %(reason)s\n"), mail, current, reason=reason)
    return current


async def expire_due(session: AsyncSession, settings: Settings, mail: list[Message],
                     now: datetime | None = None) -> int:
    """Process verifications whose time is up: audited, announced to followers, renewal asked for."""
    now = now or utcnow()
    due = list((await session.execute(select(Verification).where(
        Verification.valid_until <= now, Verification.revoked_at.is_(None), Verification.expired_at.is_(None))
        .limit(500))).scalars())
    for verification in due:
        verification.expired_at = now
        member = await session.get(Account, verification.account_id)
        await session.flush()
        await attestations.publish_actor_update(session, settings, member.actor)
        await audit(session, "expired", by=None, subject=member, verification_id=verification.id)
        await _tell(session, settings, member, None, N_("Your verification has expired"),
                    N_("Your verification as %(what)s has expired. Please send a new request to renew it.\n"),
                    mail, verification)
    return len(due)


async def remind_due(session: AsyncSession, settings: Settings, mail: list[Message],
                     now: datetime | None = None) -> int:
    """Ask members whose verification ends within REMIND_BEFORE to renew it (once)."""
    now = now or utcnow()
    due = list((await session.execute(select(Verification).where(
        Verification.valid_until > now, Verification.valid_until <= now + REMIND_BEFORE,
        Verification.revoked_at.is_(None), Verification.reminded_at.is_(None)).limit(500))).scalars())
    for verification in due:
        verification.reminded_at = now
        member = await session.get(Account, verification.account_id)
        await audit(session, "reminded", by=None, subject=member, verification_id=verification.id)
        await _tell(session, settings, member, None, N_("Your verification ends soon"),
                    N_("Your verification as %(what)s ends on %(until)s. Send a new request to renew it.\n"),
                    mail, verification)
    return len(due)


async def purge_evidence(session: AsyncSession, settings: Settings, storage: Storage, now: datetime | None = None
                         ) -> int:
    """Delete the evidence of requests decided longer ago than the retention period."""
    now = now or utcnow()
    cutoff = now - timedelta(days=await evidence_retention_days(session, settings))
    due = list((await session.execute(select(VerificationRequest).where(
        VerificationRequest.decided_at <= cutoff, VerificationRequest.evidence_path.is_not(None),
        VerificationRequest.evidence_deleted_at.is_(None)).limit(500))).scalars())
    for request in due:
        await delete_evidence(storage, request.evidence_path)
        request.evidence_deleted_at = now
        member = await session.get(Account, request.account_id)
        await audit(session, "evidence_deleted", by=None, subject=member, request_id=request.id,
                    evidence_sha256=request.evidence_sha256)
    return len(due)
