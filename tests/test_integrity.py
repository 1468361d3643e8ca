"""eddsa-jcs-2022 Data Integrity proofs, checked against the FEP-8b32 test vector."""
import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.integrity import IntegrityError, _hash_data, create_proof, verify_proof
from federation.multikey import b58encode, decode_private_key, decode_public_key

pytestmark = pytest.mark.anyio  # parametrized async tests need the marker before collection ends

VECTOR = json.loads((Path(__file__).parent / "data" / "fep-8b32-test-vector.json").read_text())
ALICE = "https://server.example/users/alice"
METHOD = VECTOR["proofOptions"]["verificationMethod"]


def _resolver(keys: dict):
    async def resolve(method):
        return keys.get(method)

    return resolve


VECTOR_RESOLVER = _resolver({METHOD: (ALICE, decode_public_key(VECTOR["publicKeyMultibase"]))})


def _sign_vector() -> dict:
    options = VECTOR["proofOptions"]
    return create_proof(
        VECTOR["document"],
        decode_private_key(VECTOR["secretKeyMultibase"]),
        options["verificationMethod"],
        proof_purpose=options["proofPurpose"],
        created=options["created"],
    )


def _fresh(document=None):
    key = Ed25519PrivateKey.generate()
    doc = document or {"@context": ["https://www.w3.org/ns/activitystreams"], "id": "https://a.example/n/1",
                       "type": "Note", "content": "hi", "n": 1.5}
    signed = create_proof(doc, key, "https://a.example/actor#k", created="2024-05-01T10:00:00Z")
    return signed, _resolver({"https://a.example/actor#k": ("https://a.example/actor", key.public_key())})


def test_create_proof_reproduces_fep_8b32_vector_byte_for_byte():
    signed = _sign_vector()
    assert signed["proof"]["proofValue"] == VECTOR["expectedProofValue"]
    expected_proof = {"@context": VECTOR["document"]["@context"], **VECTOR["proofOptions"],
                      "proofValue": VECTOR["expectedProofValue"]}
    assert signed["proof"] == expected_proof
    assert {k: v for k, v in signed.items() if k != "proof"} == VECTOR["document"]


async def test_verify_proof_accepts_fep_8b32_vector():
    document = {**VECTOR["document"], "proof": {"@context": VECTOR["document"]["@context"],
                                                 **VECTOR["proofOptions"],
                                                 "proofValue": VECTOR["expectedProofValue"]}}
    result = await verify_proof(document, VECTOR_RESOLVER)
    assert result.controller == ALICE
    assert result.verification_method == METHOD
    assert result.proof_purpose == "assertionMethod"
    assert result.created == datetime(2023, 2, 24, 23, 36, 38, tzinfo=timezone.utc)
    assert result.document == VECTOR["document"]


async def test_verify_proof_refuses_the_vector_with_a_moved_location():
    signed = _sign_vector()
    signed["object"]["location"]["latitude"] = 25.273963
    with pytest.raises(IntegrityError) as err:
        await verify_proof(signed, VECTOR_RESOLVER)
    assert err.value.reason == "bad_signature"


async def test_create_proof_leaves_input_untouched_and_round_trips():
    doc = {"id": "https://a.example/x", "type": "Note", "content": "no context here"}
    before = copy.deepcopy(doc)
    signed, resolve = _fresh(doc)
    assert doc == before
    assert "@context" not in signed["proof"]
    assert (await verify_proof(signed, resolve)).document == doc


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(content="HI"),
        lambda d: d.update(extra=True),
        lambda d: d.pop("content"),
        lambda d: d.update(n=1.50000001),
        lambda d: d["proof"].update(created="2024-05-01T10:00:01Z"),
        lambda d: d["proof"].update(verificationMethod="https://a.example/actor#k", domain="x"),
        lambda d: d["proof"].update(proofValue="z" + b58encode(bytes(64))),
    ],
)
async def test_verify_proof_refuses_any_tampering(mutate):
    signed, resolve = _fresh()
    mutate(signed)
    with pytest.raises(IntegrityError) as err:
        await verify_proof(signed, resolve)
    assert err.value.reason == "bad_signature"


async def test_verify_proof_refuses_signature_by_another_key():
    signed, _ = _fresh()
    other = _resolver({"https://a.example/actor#k": ("https://a.example/actor",
                                                     Ed25519PrivateKey.generate().public_key())})
    with pytest.raises(IntegrityError, match="bad_signature"):
        await verify_proof(signed, other)


async def test_verify_proof_reports_unknown_key():
    signed, _ = _fresh()
    with pytest.raises(IntegrityError) as err:
        await verify_proof(signed, _resolver({}))
    assert err.value.reason == "unknown_key"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.pop("proof"), "missing_proof"),
        (lambda d: d.update(proof=[d["proof"]]), "malformed_proof"),
        (lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2022"), "unsupported_proof"),
        (lambda d: d["proof"].update(type="Ed25519Signature2020"), "unsupported_proof"),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "wrong_proof_purpose"),
        (lambda d: d["proof"].pop("verificationMethod"), "malformed_proof"),
        (lambda d: d["proof"].update(proofValue="u" + d["proof"]["proofValue"][1:]), "malformed_proof"),
        (lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"] + "0"), "malformed_proof"),
        (lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:40]), "malformed_proof"),
        (lambda d: d["proof"].update(proofValue=None), "malformed_proof"),
        (lambda d: d["proof"].update(created="yesterday"), "malformed_proof"),
        (lambda d: d["proof"].update(expires=5), "malformed_proof"),
        (lambda d: d.update({"@context": ["https://evil.example/ctx"]}), "context_mismatch"),
        (lambda d: d.pop("@context"), "context_mismatch"),
        (lambda d: d.update(n=float("nan")), "malformed_document"),
    ],
)
async def test_verify_proof_names_the_problem(mutate, reason):
    signed, resolve = _fresh()
    mutate(signed)
    with pytest.raises(IntegrityError) as err:
        await verify_proof(signed, resolve)
    assert err.value.reason == reason


async def test_verify_proof_refuses_non_object():
    with pytest.raises(IntegrityError, match="malformed_document"):
        await verify_proof(["not", "a", "dict"], _resolver({}))


async def test_verify_proof_allows_contexts_appended_after_signing():
    # vc-di-eddsa Verify Proof step 4: the document's @context need only start with the proof's.
    signed, resolve = _fresh()
    signed["@context"] = signed["@context"] + ["https://w3id.org/security/data-integrity/v2"]
    result = await verify_proof(signed, resolve)
    assert result.document["@context"] == ["https://www.w3.org/ns/activitystreams"]


async def test_verify_proof_honours_expires():
    key = Ed25519PrivateKey.generate()
    doc = {"id": "https://a.example/x"}
    signed = create_proof(doc, key, "https://a.example/actor#k")
    resolve = _resolver({"https://a.example/actor#k": ("https://a.example/actor", key.public_key())})
    # create_proof has no `expires`; sign options carrying one by hand (the only use of _hash_data).
    proof = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    proof["expires"] = "2024-01-01T00:00:00Z"
    signed["proof"] = {**proof, "proofValue": "z" + b58encode(key.sign(_hash_data(proof, doc)))}
    await verify_proof(signed, resolve, now=datetime(2023, 12, 31, tzinfo=timezone.utc))
    with pytest.raises(IntegrityError, match="proof_expired"):
        await verify_proof(signed, resolve, now=datetime(2024, 1, 1, tzinfo=timezone.utc))


def test_create_proof_refuses_an_already_signed_document():
    signed, _ = _fresh()
    with pytest.raises(IntegrityError, match="already has a proof"):
        create_proof(signed, Ed25519PrivateKey.generate(), "https://a.example/actor#k")
