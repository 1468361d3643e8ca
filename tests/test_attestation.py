"""Curbside membership attestations: signed by an instance actor, refused on any doubt."""
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.attestation import (
    build_attestation,
    build_revocation_list,
    is_revoked,
    sign_attestation,
    verify_attestation,
)
from federation.integrity import IntegrityError, create_proof

pytestmark = pytest.mark.anyio  # parametrized async tests need the marker before collection ends

ISSUER = "https://a.example/actor"
METHOD = "https://a.example/actor#ed25519"
MEMBER = "https://a.example/users/ada"
REVOKED_URL = "https://a.example/credentials/revoked"
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=30)
KEY = Ed25519PrivateKey.generate()


def _attestation(**overrides) -> dict:
    fields = dict(
        issuer=ISSUER, subject=MEMBER, profession="physician", specialty_code="207RC0000X",
        specialty_name="Cardiovascular Disease", jurisdiction="US-CA", valid_from=T0,
        valid_until=T0 + timedelta(days=365), credential_id="https://a.example/credentials/1",
        revocation_list=REVOKED_URL,
    )
    return build_attestation(**{**fields, **overrides})


def _keys(entries: dict):
    async def resolve(method):
        return entries.get(method)

    return resolve


RESOLVE = _keys({METHOD: (ISSUER, KEY.public_key())})


async def _verify(att, *, actor_id=MEMBER, now=NOW, resolve=RESOLVE):
    return await verify_attestation(att, actor_id=actor_id, resolve_key=resolve, now=now)


async def _reason(att, **kwargs) -> str:
    with pytest.raises(IntegrityError) as err:
        await _verify(att, **kwargs)
    return err.value.reason


def test_build_attestation_has_the_documented_shape_and_nothing_more():
    att = _attestation()
    assert att == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://a.example/credentials/1",
        "type": ["VerifiableCredential", "CurbsideMembershipCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": MEMBER, "type": "CurbsideMember", "profession": "physician",
                              "specialtyCode": "207RC0000X", "specialtyName": "Cardiovascular Disease",
                              "jurisdiction": "US-CA"},
        "credentialStatus": {"type": "CurbsideRevocationListEntry", "revocationList": REVOKED_URL},
    }


def test_build_attestation_omits_status_without_revocation_list():
    assert "credentialStatus" not in _attestation(revocation_list=None)


@pytest.mark.parametrize(
    "overrides",
    [{"issuer": "a.example"}, {"subject": "acct:ada@a.example"}, {"credential_id": ""},
     {"profession": " "}, {"valid_until": T0}, {"revocation_list": "https://b.example/revoked"},
     {"valid_from": datetime(2025, 1, 1)}],
)
def test_build_attestation_refuses_bad_input(overrides):
    with pytest.raises(ValueError):
        _attestation(**overrides)


async def test_verify_attestation_returns_the_claims():
    claims = await _verify(sign_attestation(_attestation(), KEY, METHOD))
    assert (claims.issuer, claims.subject, claims.profession, claims.specialty_code) == (
        ISSUER, MEMBER, "physician", "207RC0000X")
    assert (claims.specialty_name, claims.jurisdiction) == ("Cardiovascular Disease", "US-CA")
    assert (claims.valid_from, claims.valid_until) == (T0, T0 + timedelta(days=365))
    assert claims.credential_id == "https://a.example/credentials/1"
    assert claims.revocation_list == REVOKED_URL
    assert claims.verification_method == METHOD


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "profession"), "nurse"),
        (("credentialSubject", "specialtyCode"), "207Q00000X"),
        (("credentialSubject", "specialtyName"), "Family Medicine"),
        (("credentialSubject", "jurisdiction"), "US-NY"),
        (("credentialSubject", "id"), "https://a.example/users/eve"),
        (("validUntil",), "2099-01-01T00:00:00Z"),
        (("validFrom",), "2024-01-01T00:00:00Z"),
        (("id",), "https://a.example/credentials/2"),
        (("credentialStatus", "revocationList"), "https://a.example/other-list"),
        (("type",), ["VerifiableCredential", "CurbsideMembershipCredential", "Extra"]),
    ],
)
async def test_verify_attestation_refuses_any_changed_claim(path, value):
    att = sign_attestation(_attestation(), KEY, METHOD)
    target = att
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert await _reason(att, actor_id=att["credentialSubject"]["id"]) == "bad_signature"


async def test_verify_attestation_refuses_wrong_subject():
    att = sign_attestation(_attestation(), KEY, METHOD)
    assert await _reason(att, actor_id="https://a.example/users/eve") == "wrong_subject"


async def test_verify_attestation_refuses_expired():
    att = sign_attestation(_attestation(), KEY, METHOD)
    assert await _reason(att, now=T0 + timedelta(days=365)) == "expired"


async def test_verify_attestation_refuses_not_yet_valid():
    att = sign_attestation(_attestation(), KEY, METHOD)
    assert await _reason(att, now=T0 - timedelta(seconds=1)) == "not_yet_valid"


async def test_verify_attestation_refuses_key_from_another_origin_without_looking_it_up():
    foreign_key = Ed25519PrivateKey.generate()
    foreign_method = "https://evil.example/actor#ed25519"
    lookups = []

    async def resolve(method):
        lookups.append(method)
        return (ISSUER, foreign_key.public_key())

    att = sign_attestation(_attestation(), foreign_key, foreign_method)
    assert await _reason(att, resolve=resolve) == "foreign_key"
    assert lookups == []


@pytest.mark.parametrize("method", ["http://a.example/actor#k", "https://a.example:8443/actor#k",
                                    "https://sub.a.example/actor#k"])
async def test_verify_attestation_treats_scheme_port_and_subdomain_as_other_origins(method):
    att = sign_attestation(_attestation(), KEY, method)
    assert await _reason(att, resolve=_keys({method: (ISSUER, KEY.public_key())})) == "foreign_key"


async def test_verify_attestation_accepts_explicit_default_port_and_issuer_object():
    method = "https://A.example:443/actor#k"
    att = _attestation()
    att["issuer"] = {"id": ISSUER, "name": "A"}
    signed = create_proof(att, KEY, method)
    claims = await _verify(signed, resolve=_keys({method: (ISSUER, KEY.public_key())}))
    assert claims.issuer == ISSUER


async def test_verify_attestation_refuses_same_origin_key_controlled_by_someone_else():
    method = "https://a.example/users/mallory#k"
    mallory = Ed25519PrivateKey.generate()
    att = sign_attestation(_attestation(), mallory, method)
    resolve = _keys({method: ("https://a.example/users/mallory", mallory.public_key())})
    assert await _reason(att, resolve=resolve) == "wrong_controller"


async def test_verify_attestation_refuses_revocation_list_on_another_origin():
    att = _attestation()
    att["credentialStatus"]["revocationList"] = "https://b.example/revoked"
    assert await _reason(sign_attestation(att, KEY, METHOD)) == "foreign_revocation_list"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a.update(type=["VerifiableCredential"]),
        lambda a: a.update({"@context": ["https://www.w3.org/2018/credentials/v1"]}),
        lambda a: a["credentialSubject"].update(jurisdiction=None),
        lambda a: a.update(validUntil="soon"),
        lambda a: a.update(credentialStatus="https://a.example/x"),
        lambda a: a.pop("credentialSubject"),
    ],
)
async def test_verify_attestation_refuses_a_signed_but_malformed_credential(mutate):
    att = _attestation()
    mutate(att)
    assert await _reason(create_proof(att, KEY, METHOD)) == "malformed_attestation"


async def test_verify_attestation_refuses_unsigned_and_non_objects():
    assert await _reason(_attestation()) == "missing_proof"
    assert await _reason("nope") == "malformed_attestation"
    assert await _reason({"issuer": 5}) == "malformed_attestation"


def test_is_revoked_finds_listed_credentials_only():
    doc = build_revocation_list(list_id=REVOKED_URL, issuer=ISSUER,
                                revoked=["https://a.example/credentials/1", "https://a.example/credentials/1"])
    assert doc["revoked"] == ["https://a.example/credentials/1"]
    assert is_revoked(doc, "https://a.example/credentials/1") is True
    assert is_revoked(doc, "https://a.example/credentials/2") is False


@pytest.mark.parametrize(
    "doc",
    [None, [], {"type": "CurbsideRevocationList"}, {"type": "Other", "revoked": []},
     {"type": "CurbsideRevocationList", "revoked": "https://a.example/credentials/1"},
     {"type": "CurbsideRevocationList", "revoked": [1, 2]}],
)
def test_is_revoked_refuses_malformed_lists(doc):
    with pytest.raises(IntegrityError) as err:
        is_revoked(doc, "https://a.example/credentials/1")
    assert err.value.reason == "malformed_revocation_list"
