"""Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (FEP-8b32, W3C vc-di-eddsa).

Signing (vc-di-eddsa "Create Proof (eddsa-jcs-2022)"): the proof options are `type`,
`cryptosuite`, `verificationMethod`, `proofPurpose`, `created`, plus the document's `@context`
when it has one. The signed bytes are

    SHA-256(JCS(proof options)) || SHA-256(JCS(document without proof))

signed with pure Ed25519; `proofValue` is the signature in multibase base58btc. The emitted
proof is the options plus `proofValue` (so it carries the `@context` too).

Verifying follows "Verify Proof (eddsa-jcs-2022)": the options are the received proof minus
`proofValue`, taken as they are; if they carry an `@context`, the document's `@context` must
start with it, and the document is hashed with the proof's `@context` in place of its own.

The key is looked up through `resolve_key`, an async callable the caller supplies:
`(verification_method_id) -> (controller_id, Ed25519PublicKey) | None`. This module does no IO.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from federation.jcs import JCSError, canonicalize
from federation.multikey import MultikeyError, decode_multibase, encode_multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"

KeyResolver = Callable[[str], Awaitable["tuple[str, Ed25519PublicKey] | None"]]


class IntegrityError(Exception):
    """A proof or a signed document was refused; `reason` is a stable code, `detail` free text.

    Reason codes: malformed_document, missing_proof, malformed_proof, unsupported_proof,
    wrong_proof_purpose, context_mismatch, unknown_key, bad_signature, proof_expired, and the
    attestation codes listed in federation.attestation.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class VerifiedProof:
    """What a valid proof established: who signed (`controller`, via which key) and what."""

    verification_method: str
    controller: str
    proof_purpose: str
    created: datetime | None
    document: dict  # the verified document without its proof


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as an XML Schema dateTimeStamp in UTC, to the second: `2024-01-31T12:00:00Z`."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: object) -> datetime | None:
    """Parse an ISO 8601 timestamp that names its offset; None if it is anything else."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def create_proof(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
) -> dict:
    """Return a copy of `document` with an `eddsa-jcs-2022` DataIntegrityProof added as `proof`.

    `created` defaults to now. The input must not already carry a proof (proof sets and chains
    are not supported).
    """
    if "proof" in document:
        raise IntegrityError("malformed_document", "document already has a proof")
    unsecured = copy.deepcopy(document)
    options: dict = {}
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    options.update(
        type=PROOF_TYPE,
        cryptosuite=CRYPTOSUITE,
        verificationMethod=verification_method,
        proofPurpose=proof_purpose,
        created=created or format_timestamp(datetime.now(timezone.utc)),
    )
    signature = private_key.sign(_hash_data(options, unsecured))
    return {**unsecured, "proof": {**options, "proofValue": encode_multibase(signature)}}


async def verify_proof(
    document: dict,
    resolve_key: KeyResolver,
    *,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
) -> VerifiedProof:
    """Verify the document's `eddsa-jcs-2022` proof; raise IntegrityError(reason) if it fails.

    `now`, when given, is checked against the proof's optional `expires`.
    """
    if not isinstance(document, dict):
        raise IntegrityError("malformed_document", "not a JSON object")
    proof = document.get("proof")
    if proof is None:
        raise IntegrityError("missing_proof")
    if not isinstance(proof, dict):
        raise IntegrityError("malformed_proof", "proof must be a single object")
    method, created = _check_options(proof, expected_purpose, now)
    signature = _signature(proof.get("proofValue"))
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in options:
        _check_context_prefix(unsecured.get("@context"), options["@context"])
        unsecured["@context"] = options["@context"]
    hash_data = _hash_data(options, unsecured)
    resolved = await resolve_key(method)
    if resolved is None:
        raise IntegrityError("unknown_key", method)
    controller, public_key = resolved
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        raise IntegrityError("bad_signature", f"signature does not match key {method}") from None
    return VerifiedProof(method, controller, proof["proofPurpose"], created, unsecured)


def _check_options(proof: dict, expected_purpose: str, now: datetime | None) -> tuple[str, datetime | None]:
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise IntegrityError("unsupported_proof", f"{proof.get('type')!r}/{proof.get('cryptosuite')!r}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise IntegrityError("malformed_proof", "verificationMethod must be a string")
    if proof.get("proofPurpose") != expected_purpose:
        raise IntegrityError("wrong_proof_purpose", f"expected {expected_purpose}")
    created = None
    if "created" in proof and (created := parse_timestamp(proof["created"])) is None:
        raise IntegrityError("malformed_proof", "created is not a timestamp")
    if "expires" in proof:
        expires = parse_timestamp(proof["expires"])
        if expires is None:
            raise IntegrityError("malformed_proof", "expires is not a timestamp")
        if now is not None and now >= expires:
            raise IntegrityError("proof_expired")
    return method, created


def _signature(proof_value: object) -> bytes:
    try:
        signature = decode_multibase(proof_value)
    except MultikeyError as exc:
        raise IntegrityError("malformed_proof", f"proofValue: {exc.reason}") from None
    if len(signature) != 64:
        raise IntegrityError("malformed_proof", "proofValue is not a 64-byte Ed25519 signature")
    return signature


def _check_context_prefix(document_context: object, proof_context: object) -> None:
    doc = document_context if isinstance(document_context, list) else [document_context]
    mine = proof_context if isinstance(proof_context, list) else [proof_context]
    # Compare canonical forms: Python's == would let 1 equal true and 1.0.
    try:
        same = document_context is not None and canonicalize(doc[: len(mine)]) == canonicalize(mine)
    except JCSError as exc:
        raise IntegrityError("malformed_document", exc.reason) from None
    if not same:
        raise IntegrityError("context_mismatch", "document @context does not start with the proof's")


def _hash_data(options: dict, unsecured: dict) -> bytes:
    try:
        return hashlib.sha256(canonicalize(options)).digest() + hashlib.sha256(canonicalize(unsecured)).digest()
    except JCSError as exc:
        raise IntegrityError("malformed_document", exc.reason) from None
