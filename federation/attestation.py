"""Curbside membership attestations: a signed statement by an instance that an actor is a verified member.

An attestation is a W3C Verifiable Credential 2.0, signed by the instance actor with an
`eddsa-jcs-2022` Data Integrity proof (see federation.integrity). It names the profession,
specialty and jurisdiction the instance verified, and never a licence number, a real name or
a hash of either: a hash of a licence number is as identifying as the number.

    {
      "@context": ["https://www.w3.org/ns/credentials/v2"],
      "id": "https://a.example/credentials/8f3c",
      "type": ["VerifiableCredential", "CurbsideMembershipCredential"],
      "issuer": "https://a.example/actor",
      "validFrom": "2025-01-01T00:00:00Z",
      "validUntil": "2026-01-01T00:00:00Z",
      "credentialSubject": {
        "id": "https://a.example/users/ada",
        "type": "CurbsideMember",
        "profession": "physician",
        "specialtyCode": "207RC0000X",        (NUCC Health Care Provider Taxonomy)
        "specialtyName": "Cardiovascular Disease",
        "jurisdiction": "US-CA"
      },
      "credentialStatus": {
        "type": "CurbsideRevocationListEntry",
        "revocationList": "https://a.example/credentials/revoked"
      },
      "proof": {... DataIntegrityProof, eddsa-jcs-2022, proofPurpose assertionMethod ...}
    }

The Curbside terms are not in the VC 2.0 context; they fall under its issuer-dependent @vocab,
which is fine for JCS signing (no JSON-LD processing happens).

The revocation list is a JSON document the issuer publishes at `revocationList`, on its own
origin, listing the ids of withdrawn credentials (it may carry its own proof):

    {
      "@context": ["https://www.w3.org/ns/credentials/v2"],
      "id": "https://a.example/credentials/revoked",
      "type": "CurbsideRevocationList",
      "issuer": "https://a.example/actor",
      "revoked": ["https://a.example/credentials/1a2b", ...]
    }

Reason codes raised by verify_attestation, besides those of verify_proof:
malformed_attestation, foreign_key (key not on the issuer's origin), wrong_controller,
foreign_revocation_list, wrong_subject, not_yet_valid, expired. is_revoked raises
malformed_revocation_list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.integrity import (
    IntegrityError,
    KeyResolver,
    create_proof,
    format_timestamp,
    parse_timestamp,
    verify_proof,
)

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "CurbsideMembershipCredential"
SUBJECT_TYPE = "CurbsideMember"
STATUS_TYPE = "CurbsideRevocationListEntry"
LIST_TYPE = "CurbsideRevocationList"
MAX_REVOKED = 1_000_000
_SUBJECT_CLAIMS = ("profession", "specialtyCode", "specialtyName", "jurisdiction")


@dataclass(frozen=True)
class AttestationClaims:
    """The verified content of an attestation."""

    credential_id: str
    issuer: str
    subject: str
    profession: str
    specialty_code: str
    specialty_name: str
    jurisdiction: str
    valid_from: datetime
    valid_until: datetime
    revocation_list: str | None
    verification_method: str


def build_attestation(
    *,
    issuer: str,
    subject: str,
    profession: str,
    specialty_code: str,
    specialty_name: str,
    jurisdiction: str,
    valid_from: datetime,
    valid_until: datetime,
    credential_id: str,
    revocation_list: str | None,
) -> dict:
    """Build an unsigned membership attestation (see the module docstring for its shape)."""
    for name, url in (("issuer", issuer), ("subject", subject), ("credential_id", credential_id)):
        if _origin(url) is None:
            raise ValueError(f"{name} must be an http(s) URL")
    if revocation_list is not None and _origin(revocation_list) != _origin(issuer):
        raise ValueError("revocation_list must be on the issuer's origin")
    claims = dict(zip(_SUBJECT_CLAIMS, (profession, specialty_code, specialty_name, jurisdiction)))
    if not all(isinstance(v, str) and v.strip() for v in claims.values()):
        raise ValueError("profession, specialty and jurisdiction must be non-empty strings")
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        raise ValueError("valid_from and valid_until must be timezone-aware")
    if valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    attestation = {
        "@context": [CREDENTIALS_V2],
        "id": credential_id,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_timestamp(valid_from),
        "validUntil": format_timestamp(valid_until),
        "credentialSubject": {"id": subject, "type": SUBJECT_TYPE, **claims},
    }
    if revocation_list is not None:
        attestation["credentialStatus"] = {"type": STATUS_TYPE, "revocationList": revocation_list}
    return attestation


def sign_attestation(att: dict, private_key: Ed25519PrivateKey, verification_method: str) -> dict:
    """Sign an attestation with the instance actor's Ed25519 key (proof purpose assertionMethod)."""
    return create_proof(att, private_key, verification_method, proof_purpose="assertionMethod")


async def verify_attestation(att: dict, *, actor_id: str, resolve_key: KeyResolver, now: datetime) -> AttestationClaims:
    """Check an attestation presented for `actor_id` at time `now` (aware); raise IntegrityError if it fails.

    Checks, in order: the signing key is on the issuer's origin (before any key lookup), the
    proof, that the key's controller is the issuer, the credential's shape, that the subject is
    `actor_id`, and that `now` lies within validFrom..validUntil. Revocation is separate: fetch
    `claims.revocation_list` and call is_revoked.
    """
    if not isinstance(att, dict):
        raise IntegrityError("malformed_attestation", "not a JSON object")
    issuer = _issuer_id(att.get("issuer"))
    proof = att.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if isinstance(method, str) and _origin(method) != _origin(issuer):
        raise IntegrityError("foreign_key", f"{method} is not on the origin of {issuer}")
    verified = await verify_proof(att, resolve_key, now=now)
    if verified.controller != issuer:
        raise IntegrityError("wrong_controller", f"key {verified.verification_method} is not controlled by {issuer}")
    claims = _read_claims(verified.document, issuer, verified.verification_method)
    if claims.subject != actor_id:
        raise IntegrityError("wrong_subject", f"attestation is about {claims.subject}, not {actor_id}")
    if now < claims.valid_from:
        raise IntegrityError("not_yet_valid", f"valid from {format_timestamp(claims.valid_from)}")
    if now >= claims.valid_until:
        raise IntegrityError("expired", f"expired {format_timestamp(claims.valid_until)}")
    return claims


def build_revocation_list(*, list_id: str, issuer: str, revoked: Iterable[str]) -> dict:
    """Build the revocation list document an issuer publishes at `list_id`."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_id,
        "type": LIST_TYPE,
        "issuer": issuer,
        "revoked": sorted(set(revoked)),
    }


def is_revoked(revocation_list_doc: object, credential_id: str) -> bool:
    """Whether `credential_id` appears in a published revocation list; malformed lists raise IntegrityError."""
    doc = revocation_list_doc
    if not isinstance(doc, dict) or doc.get("type") != LIST_TYPE:
        raise IntegrityError("malformed_revocation_list", f"not a {LIST_TYPE}")
    revoked = doc.get("revoked")
    if not isinstance(revoked, list) or len(revoked) > MAX_REVOKED or not all(isinstance(r, str) for r in revoked):
        raise IntegrityError("malformed_revocation_list", "revoked must be a list of credential ids")
    return credential_id in revoked


def _read_claims(doc: dict, issuer: str, method: str) -> AttestationClaims:
    types = doc.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or CREDENTIAL_TYPE not in types:
        raise IntegrityError("malformed_attestation", f"type must include {CREDENTIAL_TYPE}")
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        raise IntegrityError("malformed_attestation", "@context must start with the VC 2.0 context")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("id"), str):
        raise IntegrityError("malformed_attestation", "credentialSubject needs an id")
    values = [subject.get(name) for name in _SUBJECT_CLAIMS]
    if not all(isinstance(v, str) for v in values):
        raise IntegrityError("malformed_attestation", "credentialSubject claims must be strings")
    valid_from, valid_until = parse_timestamp(doc.get("validFrom")), parse_timestamp(doc.get("validUntil"))
    if valid_from is None or valid_until is None:
        raise IntegrityError("malformed_attestation", "validFrom and validUntil must be timestamps")
    credential_id = doc.get("id")
    if not isinstance(credential_id, str):
        raise IntegrityError("malformed_attestation", "credential id missing")
    return AttestationClaims(
        credential_id, issuer, subject["id"], *values, valid_from, valid_until, _revocation_list(doc, issuer), method
    )


def _revocation_list(doc: dict, issuer: str) -> str | None:
    status = doc.get("credentialStatus")
    if status is None:
        return None
    url = status.get("revocationList") if isinstance(status, dict) else None
    if not isinstance(status, dict) or status.get("type") != STATUS_TYPE or not isinstance(url, str):
        raise IntegrityError("malformed_attestation", f"credentialStatus must be a {STATUS_TYPE}")
    if _origin(url) != _origin(issuer):
        raise IntegrityError("foreign_revocation_list", f"{url} is not on the origin of {issuer}")
    return url


def _issuer_id(issuer: object) -> str:
    # VC 2.0 allows the issuer as a URL or as an object with an id.
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or _origin(issuer_id) is None:
        raise IntegrityError("malformed_attestation", "issuer must be an http(s) URL")
    return issuer_id


def _origin(url: object) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, default ports made explicit; None if not one."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)
