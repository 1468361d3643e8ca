"""draft-cavage HTTP Signatures: ours against httpsig (an independent implementation) both ways,
the draft's test key vectors, and every refusal rule of verify_request."""
import base64
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from httpsig.sign import HeaderSigner
from httpsig.verify import HeaderVerifier
from starlette.datastructures import Headers

from federation.signatures import (
    PublicKeyInfo,
    SignatureError,
    digest_header,
    load_public_key,
    parse_signature_params,
    sign_request,
    verify_request,
)

# Marked here, at collection time: the conftest's late marking makes anyio drop the
# parameters of parametrized async tests.
pytestmark = pytest.mark.anyio

DATA = Path(__file__).parent / "data" / "signatures"
RSA_KEY = (DATA / "rfc9421-test-key-rsa.key").read_text()
RSA_PUB = (DATA / "rfc9421-test-key-rsa.pem").read_text()
OTHER_RSA_PUB = (DATA / "rfc9421-test-key-rsa-pss.pem").read_text()
ED_KEY = (DATA / "rfc9421-test-key-ed25519.key").read_text()
ED_PUB = (DATA / "rfc9421-test-key-ed25519.pem").read_text()
DRAFT_PUB = (DATA / "cavage-test-key.pem").read_text()

KEY_ID = "https://remote.example/users/alice#main-key"
OWNER = "https://remote.example/users/alice"
URL = "https://example.com/users/bob/inbox"
PATH = "/users/bob/inbox"
BODY = b'{"type": "Follow", "actor": "https://remote.example/users/alice"}'
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
HTTP_NOW = "Wed, 01 May 2024 12:00:00 GMT"
SIGNED = ["(request-target)", "host", "date", "digest", "content-type"]


class FakeResolver:
    """Serves `pem`, or `fresh_pem` when asked to refresh; records every call."""

    def __init__(self, pem, fresh_pem=None):
        self.pem, self.fresh_pem, self.calls = pem, fresh_pem or pem, []

    async def __call__(self, key_id, refresh):
        self.calls.append((key_id, refresh))
        pem = self.fresh_pem if refresh else self.pem
        return None if pem is None else PublicKeyInfo(key_id, OWNER, pem)


def ours(body=BODY, **kwargs):
    return sign_request("POST", URL, {"Content-Type": "application/activity+json"}, body,
                        KEY_ID, RSA_KEY, now=NOW, **kwargs)


def theirs(names=SIGNED, *, sign_header="signature", body=BODY, algorithm="rsa-sha256"):
    """Headers signed by httpsig; hs2019 is httpsig's rsa-sha256 relabelled (same RSA bytes)."""
    headers = {"Host": "example.com", "Date": HTTP_NOW, "Content-Type": "application/activity+json"}
    if body is not None:
        headers["Digest"] = digest_header(body)
    signer = HeaderSigner(key_id=KEY_ID, secret=RSA_KEY, algorithm="rsa-sha256", headers=names,
                          sign_header=sign_header)
    signed = dict(signer.sign(headers, method="POST", path=PATH))
    signed[sign_header] = signed[sign_header].replace('algorithm="rsa-sha256"',
                                                      f'algorithm="{algorithm}"')
    return signed


async def verify(headers, body=BODY, *, path=PATH, resolver=None, now=NOW, **kwargs):
    return await verify_request("POST", path, headers, body, resolver or FakeResolver(RSA_PUB),
                                now=now, **kwargs)


async def refused(headers, body=BODY, **kwargs) -> str:
    with pytest.raises(SignatureError) as info:
        await verify(headers, body, **kwargs)
    return info.value.reason


def httpsig_accepts(headers, algorithm="rsa-sha256", path=PATH):
    headers = dict(headers)
    headers["Signature"] = headers["Signature"].replace(f'algorithm="{algorithm}"',
                                                        'algorithm="rsa-sha256"')
    verifier = HeaderVerifier(headers=headers, secret=RSA_PUB, required_headers=SIGNED,
                              method="POST", path=path, sign_header="signature")
    return verifier.verify()


# --- signing ---------------------------------------------------------------------------------

def test_digest_header_matches_draft_example():
    assert digest_header(b'{"hello": "world"}') == "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="


def test_sign_request_adds_mastodon_headers_without_touching_input():
    given = {"Content-Type": "application/activity+json", "Accept": "x"}
    headers = sign_request("POST", URL, given, BODY, KEY_ID, RSA_KEY, now=NOW)
    assert given == {"Content-Type": "application/activity+json", "Accept": "x"}
    assert headers["Host"] == "example.com" and headers["Date"] == HTTP_NOW
    assert headers["Digest"] == digest_header(BODY) and headers["Accept"] == "x"
    assert re.fullmatch(r'keyId="https://remote\.example/users/alice#main-key",algorithm="rsa-sha256",'
                        r'headers="\(request-target\) host date digest content-type",'
                        r'signature="[A-Za-z0-9+/]+=*"', headers["Signature"])


def test_sign_request_without_body_signs_request_target_host_date():
    headers = sign_request("GET", "https://example.com/users/bob?page=2", {}, None, KEY_ID,
                           RSA_KEY, now=NOW)
    assert "Digest" not in headers and "Content-Type" not in headers
    assert parse_signature_params(headers["Signature"])["headers"] == "(request-target) host date"


def test_sign_request_matches_httpsig_byte_for_byte():
    # PKCS#1 v1.5 is deterministic, so two correct signers must agree exactly
    mine = parse_signature_params(ours()["Signature"])["signature"]
    assert mine == parse_signature_params(theirs()["signature"])["signature"]


def test_sign_request_refuses_unknown_algorithm_and_ed25519_as_rsa():
    with pytest.raises(ValueError):
        ours(algorithm="rsa-sha512")
    with pytest.raises(ValueError):
        sign_request("POST", URL, {}, BODY, KEY_ID, ED_KEY, algorithm="rsa-sha256")


# --- interoperability with httpsig -----------------------------------------------------------

def test_signatures_ours_rsa_sha256_verifies_with_httpsig():
    headers = ours()
    assert httpsig_accepts(headers)
    assert not httpsig_accepts(headers, path="/users/carol/inbox")


def test_signatures_ours_hs2019_verifies_with_httpsig():
    headers = ours(algorithm="hs2019")
    assert 'algorithm="hs2019"' in headers["Signature"]
    assert httpsig_accepts(headers, algorithm="hs2019")


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "hs2019"])
async def test_verify_request_accepts_httpsig_signature(algorithm):
    verified = await verify(theirs(algorithm=algorithm))
    assert (verified.key_id, verified.owner, verified.scheme) == (KEY_ID, OWNER, "cavage")


async def test_verify_request_accepts_httpsig_authorization_header():
    headers = theirs(sign_header="authorization")
    assert headers["authorization"].startswith("Signature keyId=")
    assert (await verify(headers)).owner == OWNER


async def test_verify_request_accepts_starlette_headers_and_any_case():
    raw = [(k.lower().encode(), v.encode()) for k, v in ours().items()]
    assert (await verify(Headers(raw=raw))).owner == OWNER
    assert (await verify({k.upper(): v for k, v in ours().items()})).owner == OWNER


async def test_verify_request_accepts_ed25519_hs2019_with_created():
    created = int(NOW.timestamp()) - 5
    text = f"(request-target): post {PATH}\nhost: example.com\n(created): {created}"
    signature = load_pem_private_key(ED_KEY.encode(), None).sign(text.encode())
    headers = {"Host": "example.com", "Signature": (
        f'keyId="{KEY_ID}",algorithm="hs2019",created={created},'
        f'headers="(request-target) host (created)",signature="{base64.b64encode(signature).decode()}"')}
    assert (await verify(headers, None, resolver=FakeResolver(ED_PUB))).owner == OWNER
    rsa_labelled = headers["Signature"].replace("hs2019", "rsa-sha256")
    assert "hs2019" in await refused({**headers, "Signature": rsa_labelled}, None)


# --- the draft's test key (vectors as published with httpsig) ------------------------------

DRAFT_HEADERS = {"Host": "example.com", "Date": "Thu, 05 Jan 2014 21:31:40 GMT",
                 "Content-Type": "application/json", "Content-Length": "18",
                 "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="}
DRAFT_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=timezone.utc)
DRAFT_VECTORS = [
    ("(request-target) host date", "HUxc9BS3P/kPhSmJo+0pQ4IsCo007vkv6bUm4Qehrx+B1Eo4Mq5/6KylET72ZpMUS80X"
     "vjlOPjKzxfeTQj4DiKbAzwJAb4HX3qX6obQTa00/qPDXlMepD2JtTw33yNnm/0xV7fQuvILN/ys+378Ysi082+4xBQFwvhN"
     "vSoVsGv4=", None),
    ("(request-target) host date content-type digest content-length", "Ef7MlxLXoBovhil3AlyjtBwAL9g4TN3t"
     "ibLj7uuNB3CROat/9KaeQ4hW2NiJ+pZ6HQEOx9vYZAyi+7cmIkmJszJCut5kQLAwuX+Ms/mUFvpKlSo9StS2bMXDBNjOh4Au"
     "j774GFj4gwjS+3NhFeoqyr/MuN6HsEnkvn6zdgfE2i0=", b'{"hello": "world"}'),
]


@pytest.mark.parametrize(("names", "signature", "body"), DRAFT_VECTORS)
async def test_verify_request_accepts_draft_key_vectors(names, signature, body):
    header = f'keyId="Test",algorithm="rsa-sha256",headers="{names}",signature="{signature}"'
    headers = {**DRAFT_HEADERS, "Authorization": f"Signature {header}"}
    kwargs = {"path": "/foo?param=value&pet=dog", "resolver": FakeResolver(DRAFT_PUB), "now": DRAFT_NOW}
    assert (await verify(headers, body, **kwargs)).key_id == "Test"
    assert await refused(headers, body, **{**kwargs, "path": "/foo?param=value&pet=cat"})


# --- refusals --------------------------------------------------------------------------------

async def test_verify_request_refuses_tampered_body():
    assert await refused(ours(), BODY.replace(b"Follow", b"Block")) == "Digest does not match the body"


async def test_verify_request_refuses_tampered_signed_header():
    headers = {**ours(), "Content-Type": "text/plain"}
    assert await refused(headers) == "signature does not verify"
    assert await refused(ours(), path="/users/carol/inbox") == "signature does not verify"


async def test_verify_request_refuses_forged_digest_with_matching_body():
    forged = BODY.replace(b"Follow", b"Block")
    headers = {**ours(), "Digest": digest_header(forged)}
    assert await refused(headers, forged) == "signature does not verify"


@pytest.mark.parametrize(("shift", "reason"), [(timedelta(hours=13), "Date too old"),
                                               (timedelta(hours=-2), "Date in the future")])
async def test_verify_request_refuses_stale_or_future_date(shift, reason):
    assert await refused(ours(), now=NOW + shift) == reason
    assert (await verify(ours(), now=NOW + shift / 2)).owner == OWNER  # 6.5 h late, 1 h early


async def test_verify_request_refuses_swapped_key():
    assert await refused(ours(), resolver=FakeResolver(OTHER_RSA_PUB)) == "signature does not verify"
    assert await refused(ours(), resolver=FakeResolver(ED_PUB)) == "signature does not verify"


@pytest.mark.parametrize(("names", "missing"), [
    (["(request-target)", "date", "digest"], "host"),
    (["host", "date", "digest"], "(request-target)"),
    (["(request-target)", "host", "digest"], "date"),
    (["date"], "(request-target) host"),
])
async def test_verify_request_refuses_missing_required_headers(names, missing):
    assert await refused(theirs(names)) == f"signature must cover {missing}"


async def test_verify_request_refuses_unsigned_digest():
    headers = theirs(["(request-target)", "host", "date"])
    assert await refused(headers) == "Digest is not signed"
    del headers["digest"]  # httpsig hands back lower-case names
    assert await refused(headers) == "missing Digest header"
    assert await refused(headers, None, require_digest=True) == "missing Digest header"
    assert (await verify(headers, None)).owner == OWNER


@pytest.mark.parametrize("digest", ["SHA-256=***", "nonsense", "MD5=Sd/dVLAcvNLSq16eXua5uQ==", ""])
async def test_verify_request_refuses_garbage_digest(digest):
    names = ["(request-target)", "host", "date", "digest"]
    headers = {"Host": "example.com", "Date": HTTP_NOW, "Digest": digest}
    headers = dict(HeaderSigner(key_id=KEY_ID, secret=RSA_KEY, algorithm="rsa-sha256", headers=names,
                                sign_header="signature").sign(headers, method="POST", path=PATH))
    assert "Digest" in await refused(headers)


@pytest.mark.parametrize("algorithm", ["rsa-sha512", "hmac-sha256", "ecdsa-sha256", ""])
async def test_verify_request_refuses_unknown_algorithm(algorithm):
    assert "unsupported algorithm" in await refused(theirs(algorithm=algorithm))


async def test_verify_request_refuses_unknown_key_and_unsigned_request():
    resolver = FakeResolver(None)
    assert await refused(ours(), resolver=resolver) == "unknown key"
    assert resolver.calls == [(KEY_ID, False)]
    unsigned = {k: v for k, v in ours().items() if k != "Signature"}
    assert await refused(unsigned) == "request is not signed"


async def test_verify_request_refuses_unparsable_public_key():
    assert await refused(ours(), resolver=FakeResolver("-----BEGIN PUBLIC KEY-----\nnope")) == \
        "invalid public key"


GOOD = ('keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",'
        'signature="' + "A" * 344 + '"')


@pytest.mark.parametrize("value", [
    "", "garbage", 'keyId="k"', "keyId=k,signature=x", 'keyId="k" signature="AAAA"',
    'keyId="k",keyId="j",signature="AAAA"', 'keyId="k",signature="not base64!"',
    'keyId="",signature="AAAA"', 'keyId="k",signature="AAAA",headers="date date"',
    'keyId="k",signature="AAAA",headers="(request-target) host (created)"',
    'keyId="k",algorithm="hs2019",headers="(request-target) host (created)",created="x",signature="AA=="',
    'keyId="k",algorithm="hs2019",headers="(request-target) host (created)",created=999999999999999,'
    'signature="AA=="',
    'keyId="k",algorithm="hs2019",headers="(request-target) host (created)",created="\u00b2",signature="AA=="',
    'keyId="k",algorithm="hs2019",headers="(request-target) host (created)",created="' + "9" * 5000 + '",'
    'signature="AA=="',
    'keyId="k\u00e4",signature="AAAA",headers="(request-target) host date"', "\x00\x01",
    'keyId="k",signature="' + "A" * 10000 + '"', GOOD.replace(",", ";"), GOOD + ",",
    GOOD.replace('headers="', 'headers="x-missing '), "Signature " + GOOD, GOOD[:-1],
])
async def test_verify_request_refuses_garbage_signature_header(value):
    headers = {**ours(body=None), "Signature": value}
    await refused(headers, None)


async def test_verify_request_refuses_every_truncation_of_a_valid_header():
    headers = ours()
    for end in range(0, len(headers["Signature"]) - 1, 5):
        await refused({**headers, "Signature": headers["Signature"][:end]})


@pytest.mark.parametrize("headers", [
    {"Signature": 12}, {"Authorization": b"Signature keyId=\"k\""}, {b"Signature": GOOD},
    {"Signature": GOOD, "Date": "yesterday", "Host": "example.com"},
    {"Signature": GOOD, "Date": "Wed, 01 May 2024 12:00:00 GMT\r\nX: y", "Host": "example.com"},
    {"Signature": GOOD, "Date": HTTP_NOW, "Host": "exämple.com"},
    {"Signature": GOOD, "Date": "Wed, 01 May 99999 12:00:00 GMT", "Host": "example.com"},
])
async def test_verify_request_refuses_garbage_headers(headers):
    await refused(headers, None)


# --- keys ------------------------------------------------------------------------------------

async def test_verify_request_refetches_rotated_key_exactly_once():
    resolver = FakeResolver(OTHER_RSA_PUB, fresh_pem=RSA_PUB)
    assert (await verify(ours(), resolver=resolver)).owner == OWNER
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]
    resolver = FakeResolver(OTHER_RSA_PUB)
    await refused(ours(), resolver=resolver)
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]
    resolver = FakeResolver(RSA_PUB)
    await verify(ours(), resolver=resolver)
    assert resolver.calls == [(KEY_ID, False)]


def test_load_public_key_caches_parsed_keys():
    first = load_public_key(RSA_PUB)
    hits = load_public_key.cache_info().hits
    assert load_public_key(RSA_PUB) is first
    assert load_public_key.cache_info().hits == hits + 1


async def test_verify_request_accepts_mastodon_shaped_headers():
    signature = parse_signature_params(theirs()["signature"])["signature"]
    headers = {
        "Host": "example.com", "Date": HTTP_NOW, "Digest": digest_header(BODY),
        "Content-Type": "application/activity+json",
        "Signature": ('keyId="https://host/users/x#main-key",algorithm="rsa-sha256",'
                      f'headers="(request-target) host date digest content-type",signature="{signature}"'),
    }
    verified = await verify(headers)
    assert (verified.key_id, verified.scheme) == ("https://host/users/x#main-key", "cavage")
