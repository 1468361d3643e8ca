"""RFC 9421 HTTP Message Signatures: the RFC's own test vectors (Appendix B.2, sections 2.4 and
4.3), our signer against our verifier, and every refusal rule."""
import base64
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from federation.rfc9421 import (
    content_digest_header,
    sign_request_rfc9421,
    signature_base,
    verify_rfc9421,
)
from federation.signatures import (
    PublicKeyInfo,
    SignatureError,
    check_signature,
    digest_header,
    load_public_key,
    verify_request,
)
from federation.structured_fields import Token, parse_dictionary

# Marked here, at collection time: the conftest's late marking makes anyio drop the
# parameters of parametrized async tests.
pytestmark = pytest.mark.anyio

DATA = Path(__file__).parent / "data" / "signatures"
KEYS = {name: (DATA / f"rfc9421-{name}.pem").read_text()
        for name in ("test-key-rsa", "test-key-rsa-pss", "test-key-ed25519")}
RSA_KEY = (DATA / "rfc9421-test-key-rsa.key").read_text()
ED_KEY = (DATA / "rfc9421-test-key-ed25519.key").read_text()
OWNER = "https://remote.example/users/alice"

# The request every RFC 9421 example signs (Appendix B.2).
V_PATH = "/foo?param=Value&Pet=dog"
V_BODY = b'{"hello": "world"}'
V_DIGEST = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
V_HEADERS = {"Host": "example.com", "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
             "Content-Type": "application/json", "Content-Digest": V_DIGEST, "Content-Length": "18"}
V_NOW = datetime.fromtimestamp(1618884473 + 30, timezone.utc)

SECTION_2_4 = (
    'sig1=("@method" "@authority" "@path" "@query" "content-digest" "content-type" "content-length")'
    ';created=1618884475;keyid="test-key-rsa-pss"',
    "sig1=:e8UJ5wMiRaonlth5ERtE8GIiEH7Akcr493nQ07VPNo6y3qvjdKt0fo8VHO8xXDjmtYoatGYBGJVlMfIp06eVMEyNW2I4"
    "vN7XDAz7m5v1108vGzaDljrd0H8+SJ28g7bzn6h2xeL/8q+qUwahWA/JmC8aOC9iVnwbOKCc0WSrLgWQwTY6VLp42Qt7jjhYT5"
    "W7/wCvfK9A1VmHH1lJXsV873Z6hpxesd50PSmO+xaNeYvDLvVdZlhtw5PCtUYzKjHqwmaQ6DEuM8udRjYsoNqp2xZKcuCO1nKc"
    "0V3RjpqMZLuuyVbHDAbCzr0pg2d2VM/OC33JAU7meEjjaNz+d7LWPg==:")
B_2_3 = (
    'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" '
    '"content-length");created=1618884473;keyid="test-key-rsa-pss"',
    "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRR"
    "U5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXX"
    "ZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBro"
    "hr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:")
B_2_1 = (
    'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    "d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZ"
    "sckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGe"
    "zXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SI"
    "TLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==")
B_2_2 = (
    'sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;'
    'keyid="test-key-rsa-pss";tag="header-example"',
    "LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCM"
    "kSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4U"
    "KkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosM"
    "TAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==")
B_2_6 = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");'
    'created=1618884473;keyid="test-key-ed25519"',
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:")
PROXY_SIG = (  # section 4.3: rsa-v1_5-sha256 is deterministic, so a signer must reproduce it
    'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" '
    '"forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
    "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+Mjni"
    "OaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0"
    "RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+"
    "YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:")


class FakeResolver:
    """Serves the RFC test keys by key id (`stale` on a first look-up if given); records calls."""

    def __init__(self, stale=None, keys=KEYS):
        self.stale, self.keys, self.calls = stale, keys, []

    async def __call__(self, key_id, refresh):
        self.calls.append((key_id, refresh))
        pem = self.stale if self.stale and not refresh else self.keys.get(key_id)
        return None if pem is None else PublicKeyInfo(key_id, OWNER, pem)


def vector(signature_input, signature, **extra):
    return {**V_HEADERS, "Signature-Input": signature_input, "Signature": signature, **extra}


async def refused(headers, body=V_BODY, *, path=V_PATH, now=V_NOW, resolver=None, **kwargs):
    with pytest.raises(SignatureError) as info:
        await verify_request("POST", path, headers, body, resolver or FakeResolver(), now=now, **kwargs)
    return info.value.reason


# --- the RFC's vectors -----------------------------------------------------------------------

@pytest.mark.parametrize("example", [SECTION_2_4, B_2_3])
async def test_verify_request_accepts_rfc9421_rsa_pss_vectors(example):
    verified = await verify_request("POST", V_PATH, vector(*example), V_BODY, FakeResolver(), now=V_NOW)
    assert (verified.key_id, verified.owner, verified.scheme) == ("test-key-rsa-pss", OWNER, "rfc9421")
    assert await refused(vector(*example, **{"Content-Length": "19"})) == "signature does not verify"


def test_signature_base_rfc9421_minimal_vector_b21():
    base = signature_base("POST", V_PATH, vector(B_2_1[0], ""), "sig-b21")
    assert base == b'"@signature-params": ' + B_2_1[0].split("=", 1)[1].encode()
    key = load_public_key(KEYS["test-key-rsa-pss"])
    assert check_signature(key, "rsa-pss-sha512", base, base64.b64decode(B_2_1[1]))
    assert not check_signature(key, "rsa-pss-sha512", base + b" ", base64.b64decode(B_2_1[1]))


async def test_verify_request_refuses_rfc9421_minimal_coverage():
    headers = vector(B_2_1[0], f"sig-b21=:{B_2_1[1]}:")
    assert await refused(headers) == "signature must cover @method"


def test_signature_base_rfc9421_query_param_vector_b22():
    base = signature_base("POST", V_PATH, vector(B_2_2[0], ""), "sig-b22")
    assert base.decode().splitlines() == [
        '"@authority": example.com', f'"content-digest": {V_DIGEST}', '"@query-param";name="Pet": dog',
        '"@signature-params": ' + B_2_2[0].split("=", 1)[1]]
    key = load_public_key(KEYS["test-key-rsa-pss"])
    assert check_signature(key, "rsa-pss-sha512", base, base64.b64decode(B_2_2[1]))
    other = signature_base("POST", "/foo?param=Value&Pet=cat", vector(B_2_2[0], ""), "sig-b22")
    assert not check_signature(key, "rsa-pss-sha512", other, base64.b64decode(B_2_2[1]))


async def test_signature_base_rfc9421_ed25519_vector_b26():
    base = signature_base("POST", V_PATH, vector(*B_2_6), "sig-b26")
    assert base.decode().splitlines()[:3] == [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT', '"@method": POST', '"@path": /foo']
    signature = base64.b64decode(B_2_6[1].split(":")[1])
    assert check_signature(load_public_key(KEYS["test-key-ed25519"]), "ed25519", base, signature)
    # it leaves the query and the body unsigned, which our policy refuses
    assert await refused(vector(*B_2_6)) == "signature must cover @target-uri, or @path and @query"


def test_sign_request_rfc9421_reproduces_ed25519_vector_b26():
    headers = sign_request_rfc9421(
        "POST", "https://example.com" + V_PATH, V_HEADERS, None, "test-key-ed25519", ED_KEY,
        components=("date", "@method", "@path", "@authority", "content-type", "content-length"),
        now=datetime.fromtimestamp(1618884473, timezone.utc), label="sig-b26", include_alg=False)
    assert (headers["Signature-Input"], headers["Signature"]) == B_2_6


def test_sign_request_rfc9421_reproduces_rsa_v1_5_vector_section_4_3():
    headers = sign_request_rfc9421(
        "POST", "https://origin.host.internal.example" + V_PATH,
        {**V_HEADERS, "Forwarded": "for=192.0.2.123;host=example.com;proto=https"}, V_BODY,
        "test-key-rsa", RSA_KEY, label="proxy_sig", expires_in=60,
        components=("@method", "@authority", "@path", "content-digest", "content-type",
                    "content-length", "forwarded"),
        now=datetime.fromtimestamp(1618884480, timezone.utc))
    assert headers["Host"] == "origin.host.internal.example"
    assert (headers["Signature-Input"], headers["Signature"]) == PROXY_SIG


# --- our signer with our verifier ------------------------------------------------------------

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://example.com/users/bob/inbox"
PATH = "/users/bob/inbox"
BODY = b'{"type": "Create"}'
KEY_ID = "test-key-rsa"


def ours(body=BODY, key=RSA_KEY, key_id=KEY_ID, **kwargs):
    kwargs.setdefault("now", NOW)
    return sign_request_rfc9421("POST", URL, {"Content-Type": "application/activity+json"}, body,
                                key_id, key, **kwargs)


async def verify(headers, body=BODY, *, path=PATH, now=NOW, resolver=None, **kwargs):
    return await verify_rfc9421("POST", path, headers, body, resolver or FakeResolver(), now=now, **kwargs)


async def refused_ours(headers, body=BODY, **kwargs):
    return await refused(headers, body, **{"path": PATH, "now": NOW, **kwargs})


@pytest.mark.parametrize(("key", "key_id", "kwargs"), [
    (RSA_KEY, "test-key-rsa", {}),
    (RSA_KEY, "test-key-rsa", {"algorithm": "rsa-pss-sha512"}),
    (RSA_KEY, "test-key-rsa", {"algorithm": "rsa-pss-sha512", "include_alg": False}),
    (ED_KEY, "test-key-ed25519", {}),
    (ED_KEY, "test-key-ed25519", {"include_alg": False}),
])
async def test_verify_rfc9421_accepts_own_signatures(key, key_id, kwargs):
    headers = ours(key=key, key_id=key_id, **kwargs)
    assert headers["Content-Digest"] == content_digest_header(BODY)
    assert (await verify(headers)).key_id == key_id
    verified = await verify_request("POST", PATH, headers, BODY, FakeResolver(), now=NOW)
    assert (verified.owner, verified.scheme) == (OWNER, "rfc9421")


def test_sign_request_rfc9421_default_components():
    assert ours()["Signature-Input"] == (
        'sig1=("@method" "@target-uri" "content-digest" "content-type");created=1714564800;'
        'keyid="test-key-rsa";alg="rsa-v1_5-sha256"')
    get = sign_request_rfc9421("GET", URL + "?page=1", {}, None, KEY_ID, RSA_KEY, now=NOW)
    assert get["Signature-Input"].startswith('sig1=("@method" "@target-uri");')


async def test_verify_rfc9421_accepts_signed_legacy_digest_and_default_port():
    components = ("@method", "@authority", "@request-target", "digest")
    headers = sign_request_rfc9421("POST", "https://example.com:443" + PATH,
                                   {"Digest": digest_header(BODY)}, BODY, KEY_ID, RSA_KEY, now=NOW,
                                   components=components)
    assert headers["Host"] == "example.com:443"
    assert (await verify(headers)).key_id == KEY_ID
    assert await refused_ours(headers, BODY + b" ") == "Digest does not match the body"


async def test_verify_rfc9421_picks_the_first_signature_meeting_policy():
    weak = ours(components=("@authority",), label="weak")
    strong = ours(label="strong")
    headers = {**strong, "Signature-Input": f'{weak["Signature-Input"]}, {strong["Signature-Input"]}',
               "Signature": f'{weak["Signature"]}, {strong["Signature"]}'}
    assert (await verify(headers)).key_id == KEY_ID


# --- refusals --------------------------------------------------------------------------------

async def test_verify_rfc9421_refuses_tampered_body_and_forged_digest():
    assert await refused_ours(ours(), BODY + b" ") == "Content-Digest does not match the body"
    forged = {**ours(), "Content-Digest": content_digest_header(BODY + b" ")}
    assert await refused_ours(forged, BODY + b" ") == "signature does not verify"


async def test_verify_rfc9421_refuses_tampered_signed_component():
    assert await refused_ours({**ours(), "Content-Type": "text/html"}) == "signature does not verify"
    assert await refused_ours(ours(), path=PATH + "?x=1") == "signature does not verify"
    assert await refused_ours({**ours(), "Host": "evil.example"}) == "signature does not verify"


@pytest.mark.parametrize(("shift", "reason"), [(timedelta(hours=13), "signature too old"),
                                               (timedelta(hours=-2), "signature in the future")])
async def test_verify_rfc9421_refuses_stale_or_future_created(shift, reason):
    assert await refused_ours(ours(), now=NOW + shift) == reason
    assert (await verify(ours(), now=NOW + shift / 2)).key_id == KEY_ID


async def test_verify_rfc9421_refuses_expired_signature():
    headers = ours(expires_in=10)
    assert (await verify(headers, now=NOW + timedelta(seconds=5))).key_id == KEY_ID
    assert await refused_ours(headers, now=NOW + timedelta(seconds=11)) == "signature expired"


async def test_verify_rfc9421_refuses_swapped_key_after_one_refetch():
    resolver = FakeResolver(keys={KEY_ID: KEYS["test-key-rsa-pss"]})
    assert await refused_ours(ours(), resolver=resolver) == "signature does not verify"
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]
    ed_signed_as_rsa = FakeResolver(keys={KEY_ID: KEYS["test-key-ed25519"]})
    assert await refused_ours(ours(), resolver=ed_signed_as_rsa) == "signature does not verify"


async def test_verify_rfc9421_refetches_rotated_key_exactly_once():
    resolver = FakeResolver(stale=KEYS["test-key-rsa-pss"])
    assert (await verify(ours(), resolver=resolver)).key_id == KEY_ID
    assert resolver.calls == [(KEY_ID, False), (KEY_ID, True)]
    resolver = FakeResolver()
    await verify(ours(), resolver=resolver)
    assert resolver.calls == [(KEY_ID, False)]


async def test_verify_rfc9421_refuses_unknown_key():
    assert await refused_ours(ours(key_id="nobody")) == "unknown key"


@pytest.mark.parametrize(("components", "reason"), [
    (("@target-uri", "content-digest"), "signature must cover @method"),
    (("@method", "@path", "content-digest"), "signature must cover @authority"),
    (("@method", "@authority", "content-digest"), "signature must cover @target-uri, or @path and @query"),
    (("@method", "@target-uri"), "Content-Digest is not signed"),
])
async def test_verify_rfc9421_refuses_missing_required_components(components, reason):
    assert await refused_ours(ours(components=components)) == reason


async def test_verify_rfc9421_requires_query_coverage_when_there_is_a_query():
    headers = sign_request_rfc9421("GET", URL + "?page=2", {}, None, KEY_ID, RSA_KEY, now=NOW,
                                   components=("@method", "@authority", "@path"))
    assert "@query" in await refused(headers, None, path=PATH + "?page=2", now=NOW)
    assert await refused(headers, None, path=PATH + "?page=2", now=NOW, require_digest=True) == \
        "signature must cover @target-uri, or @path and @query"


@pytest.mark.parametrize(("old", "new", "reason"), [
    ('alg="rsa-v1_5-sha256"', 'alg="hmac-sha256"', "unsupported algorithm hmac-sha256"),
    ('alg="rsa-v1_5-sha256"', 'alg="rsa-pss-sha512"', "signature does not verify"),
    (';created=1714564800', '', "signature has no created time"),
    (';created=1714564800', ';created="1714564800"', "signature has no created time"),
    (';keyid="test-key-rsa"', '', "signature has no keyid"),
    ('"content-type"', '"content-type";sf', "unsupported parameters on component content-type"),
    ('"content-type"', '"@status"', "unsupported component @status"),
    ('"content-type"', '"x-missing"', "signed header x-missing is missing"),
    ('"content-type"', '"Content-Type"', "unsupported component Content-Type"),
    ('"content-type"', '"@method"', "component covered twice"),
    ('"content-type"', 'content-type', "component identifiers must be strings"),
])
async def test_verify_rfc9421_refuses_bad_signature_input(old, new, reason):
    headers = ours()
    assert old in headers["Signature-Input"]
    headers["Signature-Input"] = headers["Signature-Input"].replace(old, new)
    assert await refused_ours(headers) == reason


@pytest.mark.parametrize(("field", "value"), [
    ("Signature-Input", ""), ("Signature-Input", "garbage garbage"), ("Signature-Input", "sig1=("),
    ("Signature-Input", 'sig1=("@method" "@target-uri"'), ("Signature-Input", "sig1=:AAAA:"),
    ("Signature-Input", "Sig1=()"), ("Signature-Input", 'sig1=("@method"),'),
    ("Signature-Input", 'sig1=("\\x")'), ("Signature-Input", "sig1=(1.5)"),
    ("Signature-Input", "sig1=()" + ";a=1" * 3000), ("Signature-Input", "sig1=(\u00e9)"),
    ("Signature", ""), ("Signature", "sig1=:not base64:"), ("Signature", "sig1=AAAA"),
    ("Signature", "other=:AAAA:"), ("Signature", "sig1=::"), ("Signature", "sig1=:AAAA"),
    ("Content-Digest", "sha-256=AAAA"), ("Content-Digest", "md5=:AAAA:"), ("Content-Digest", "garbage"),
    ("Host", ""), ("Host", "example.com\n\"@method\": GET"), ("Content-Type", "caf\u00e9 \u2603"),
])
async def test_verify_rfc9421_refuses_garbage_fields(field, value):
    await refused_ours({**ours(), field: value})


async def test_verify_rfc9421_refuses_every_truncation_of_valid_fields():
    headers = ours()
    for field in ("Signature-Input", "Signature"):
        for end in range(0, len(headers[field]) - 1, 4):
            await refused_ours({**headers, field: headers[field][:end]})


# --- Structured Fields (federation/structured_fields.py) ---------------------------------------

def test_parse_dictionary_reads_structured_field_types():
    parsed = parse_dictionary('a=(  "x\\"y" tok;p=?0 );n=-5, b=:AAE=:, c, d=*t/1')
    assert parsed["a"] == ([("x\"y", {}), ("tok", {"p": False})], {"n": -5})
    assert isinstance(parsed["a"][0][1][0], Token)
    assert parsed["b"] == (b"\x00\x01", {}) and parsed["c"] == (True, {})
    assert parsed["d"] == ("*t/1", {})


@pytest.mark.parametrize("text", ["a=", "a=1,", "a=(1 2", "a=1.5", "A=1", "a=?2", 'a="\x7f"', "a=1 b=2",
                                  "a=1234567890123456"])
def test_parse_dictionary_refuses_malformed_text(text):
    with pytest.raises(ValueError):
        parse_dictionary(text)
