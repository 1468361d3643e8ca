"""Verification requests and verifications as JSON for the client API: the member's view (credential
number masked) and the reviewers' view (with the number, the real name and the email)."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import Verification, VerificationRequest
from server.services.accounts.specialties import specialty_name


def masked(number: str) -> str:
    return "•" * max(0, len(number) - 4) + number[-4:] if len(number) > 4 else "•" * len(number)


def request_to_json(req: VerificationRequest, *, reviewer_view: bool = False, **extra: object) -> dict:
    evidence = None
    if req.evidence_sha256:
        evidence = {"name": req.evidence_name, "content_type": req.evidence_type, "sha256": req.evidence_sha256,
                    "deleted": req.evidence_deleted_at is not None}
    return {
        "id": str(req.id), "state": req.state, "profession": req.profession,
        "specialty": {"code": req.specialty_code, "name": specialty_name(req.specialty_code)},
        "credential_type": req.credential_type,
        "credential_number": req.credential_number if reviewer_view else masked(req.credential_number),
        "jurisdiction": req.jurisdiction, "member_note": req.member_note, "reviewer_note": req.reviewer_note,
        "evidence": evidence, "created_at": iso(req.created_at), "decided_at": iso(req.decided_at),
        **extra,
    }


def verification_to_json(v: Verification) -> dict:
    return {"id": str(v.id), "credential_id": v.credential_id, "profession": v.profession,
            "specialty": {"code": v.specialty_code, "name": specialty_name(v.specialty_code)},
            "jurisdiction": v.jurisdiction, "valid_from": iso(v.valid_from), "valid_until": iso(v.valid_until),
            "revoked_at": iso(v.revoked_at), "revoke_reason": v.revoke_reason}
