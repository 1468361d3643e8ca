"""HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures-12, Mastodon's profile).

`verify_request` is the one entry point for inbound requests: it reads draft-cavage `Signature` /
`Authorization: Signature` headers itself and hands requests carrying `Signature-Input` to
`federation.rfc9421`. Both build on `federation.signature_primitives`: the key comes from a
caller-supplied async resolver, parsed keys are cached by PEM, and a failed check refetches the key
once. The names callers use with `verify_request` (PublicKeyInfo, SignatureError, ...) are imported
from here.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.rfc9421 import verify_rfc9421
from federation.signature_primitives import (  # noqa: F401 (callers' KeyResolver)
    MAX_HEADER_LENGTH,
    KeyResolver,
    LowerHeaders,
    PublicKey,
    PublicKeyInfo,
    SignatureError,
    VerifiedRequest,
    base64_bytes,
    check_digest_header,
    check_freshness,
    check_signature,
    digest_header,
    digest_required,
    header_value,
    http_date_timestamp,
    load_private_key,
    load_public_key,
    lower_headers,
    sign_bytes,
    split_url,
    utcnow,
    verify_with_key_refresh,
    without,
)

# --- draft-cavage verification -------------------------------------------------------------

# One parameter and what follows it: a comma (another parameter must come) or the end of the value.
_PARAM = re.compile(r'[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(?:"([^"\\]*)"|([0-9]{1,15}))[ \t]*(?:(,)|\Z)')
_ALGORITHMS = {"rsa-sha256", "hs2019"}


def parse_signature_params(value: str) -> dict[str, str]:
    """Split a cavage `keyId="..",algorithm="..",...` value; raises SignatureError if malformed."""
    if len(value) > MAX_HEADER_LENGTH:
        raise SignatureError("Signature header too long")
    params: dict[str, str] = {}
    position = 0
    while True:
        match = _PARAM.match(value, position)
        if match is None:
            raise SignatureError("malformed Signature header")
        name, quoted, number, comma = match.groups()
        if name in params:
            raise SignatureError("duplicate parameter in Signature header")
        params[name] = number if quoted is None else quoted
        if comma is None:
            return params
        position = match.end()


def _cavage_params(headers: LowerHeaders) -> dict[str, str]:
    value = headers.get("signature")
    if value is None:
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "signature":
            raise SignatureError("request is not signed")
    params = parse_signature_params(value)
    for name in ("keyId", "signature"):
        if not params.get(name):
            raise SignatureError(f"Signature header lacks {name}")
    if not (params["keyId"].isascii() and params["keyId"].isprintable()):
        raise SignatureError("keyId is not printable ASCII")
    return params


def _signed_names(params: dict[str, str], algorithm: str) -> list[str]:
    names = params.get("headers", "date").lower().split()
    if len(set(names)) != len(names):
        raise SignatureError("duplicate name in signed headers")
    missing = [n for n in ("(request-target)", "host") if n not in names]
    uses_created = "(created)" in names or "(expires)" in names
    if uses_created and algorithm != "hs2019":
        raise SignatureError("(created) and (expires) need algorithm hs2019")
    if "date" not in names and "(created)" not in names:
        missing.append("date")
    if missing:
        raise SignatureError("signature must cover " + " ".join(missing))
    return names


def _signing_string(names: list[str], method: str, path: str, headers: LowerHeaders,
                    params: dict[str, str]) -> bytes:
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {path}"
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1], "")
            if not (value.isascii() and value.isdigit() and len(value) <= 15):
                raise SignatureError(f"{name} signed without a numeric {name[1:-1]} parameter")
        else:
            value = header_value(headers, name)
        lines.append(f"{name}: {value}")
    try:
        return "\n".join(lines).encode("latin-1")
    except UnicodeEncodeError as exc:
        raise SignatureError("header value is not Latin-1") from exc


def _check_cavage_times(names: list[str], headers: LowerHeaders, params: dict[str, str],
                        now: datetime) -> None:
    if "date" in names:
        check_freshness(http_date_timestamp(headers["date"]), now, "Date")
    if "(created)" in names:
        check_freshness(int(params["created"]), now, "signature")
    if "(expires)" in names and int(params["expires"]) < now.timestamp():
        raise SignatureError("signature expired")


def _cavage_check(algorithm: str, data: bytes, signature: bytes) -> Callable[[PublicKey], bool]:
    def check(key: PublicKey) -> bool:
        if algorithm == "hs2019" and isinstance(key, ed25519.Ed25519PublicKey):
            return check_signature(key, "ed25519", data, signature)
        return check_signature(key, "rsa-v1_5-sha256", data, signature)
    return check


async def verify_cavage(method: str, path: str, headers: Mapping[str, str], body: bytes | None,
                        resolve_key: KeyResolver, *, now: datetime | None = None,
                        require_digest: bool | None = None) -> VerifiedRequest:
    """Verify a draft-cavage signed request (see `verify_request` for the rules)."""
    headers = lower_headers(headers)
    params = _cavage_params(headers)
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in _ALGORITHMS:
        raise SignatureError(f"unsupported algorithm {algorithm[:40]}")
    names = _signed_names(params, algorithm)
    data = _signing_string(names, method, path, headers, params)
    signature = base64_bytes(params["signature"], "signature is not base64")
    _check_cavage_times(names, headers, params, utcnow(now))
    required = digest_required(body, require_digest)
    if "digest" in names and (body is not None or required):
        check_digest_header(headers.get("digest"), body or b"")
    elif required:
        raise SignatureError("Digest is not signed" if "digest" in headers else "missing Digest header")
    info = await verify_with_key_refresh(params["keyId"], resolve_key,
                                         _cavage_check(algorithm, data, signature))
    return VerifiedRequest(key_id=params["keyId"], owner=info.owner, scheme="cavage")


async def verify_request(method: str, path: str, headers: Mapping[str, str], body: bytes | None,
                         resolve_key: KeyResolver, *, now: datetime | None = None,
                         require_digest: bool | None = None) -> VerifiedRequest:
    """Verify a signed HTTP request and say who signed it.

    `path` is the request target with its query string; `headers` any mapping (names are read
    case-insensitively); `body` the raw body or None. RFC 9421 is used when `Signature-Input` is
    present (its @target-uri and @scheme assume https), else draft-cavage. A digest of the body
    must be signed and match when there is a body (or always, with `require_digest=True`);
    Date/created must be within 12 h back, 1 h ahead. The key comes from resolve_key(key_id,
    False); if it fails, resolve_key(key_id, True) is asked once. Raises SignatureError (with a
    `.reason`) for every bad request; exceptions from the resolver propagate.
    """
    headers = lower_headers(headers)
    if "signature-input" in headers:
        return await verify_rfc9421(method, path, headers, body, resolve_key, now=now,
                                            require_digest=require_digest)
    return await verify_cavage(method, path, headers, body, resolve_key, now=now,
                               require_digest=require_digest)



def sign_request(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                 key_id: str, private_key_pem: str | bytes, *, now: datetime | None = None,
                 algorithm: str | None = None) -> dict[str, str]:
    """Sign an outgoing request the way Mastodon does and return the headers to send.

    Adds Host, Date and Signature, plus Digest and Content-Type (default
    application/activity+json) when there is a body, signing "(request-target) host date" and
    "digest content-type" with a body. `algorithm` is rsa-sha256 (default for RSA keys) or
    hs2019 (required for Ed25519 keys).
    """
    key = load_private_key(private_key_pem)
    if algorithm is None:
        algorithm = "rsa-sha256" if isinstance(key, rsa.RSAPrivateKey) else "hs2019"
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    if algorithm not in _ALGORITHMS or (algorithm == "rsa-sha256" and not is_rsa) or '"' in key_id:
        raise ValueError(f"cannot sign with algorithm {algorithm!r} and key id {key_id!r}")
    _, host, target = split_url(url)
    out = without(headers, {"host", "date", "digest", "signature"})
    out["Host"] = host
    out["Date"] = format_datetime(utcnow(now).astimezone(timezone.utc), usegmt=True)
    names = ["(request-target)", "host", "date"]
    if body is not None:
        content_type = next((v for k, v in out.items() if k.lower() == "content-type"),
                            "application/activity+json")
        out = without(out, {"content-type"})
        out["Digest"] = digest_header(body)
        out["Content-Type"] = content_type
        names += ["digest", "content-type"]
    data = _signing_string(names, method, target, lower_headers(out), {})
    raw_alg = "rsa-v1_5-sha256" if is_rsa else "ed25519"
    signature = base64.b64encode(sign_bytes(key, raw_alg, data)).decode("ascii")
    out["Signature"] = (f'keyId="{key_id}",algorithm="{algorithm}",'
                        f'headers="{" ".join(names)}",signature="{signature}"')
    return out

