"""What both HTTP signature schemes share (draft-cavage in federation.signatures, RFC 9421 in
federation.rfc9421): keys and raw signatures, with the refetch of a rotated key; header fields, dates and
digests; the parts of a URL a signature covers. Parsed keys are cached by PEM.
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

MAX_AGE = timedelta(hours=12)
MAX_SKEW = timedelta(hours=1)
MAX_HEADER_LENGTH = 8192
MIN_RSA_BITS = 1024  # the draft's own test key is 1024 bits; fediverse keys are 2048+

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


class SignatureError(Exception):
    """A request's signature is missing, malformed or wrong; `reason` is safe to show the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PublicKeyInfo:
    key_id: str
    owner: str
    pem: str


KeyResolver = Callable[[str, bool], Awaitable[PublicKeyInfo | None]]


@dataclass(frozen=True)
class VerifiedRequest:
    key_id: str
    owner: str
    scheme: str


# --- keys and raw signatures -------------------------------------------------------------

@lru_cache(maxsize=4096)
def load_public_key(pem: str) -> PublicKey:
    """Parse a PEM public key (SPKI or PKCS#1 RSA), cached so hot paths never re-parse PEM."""
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, AttributeError, UnicodeError, UnsupportedAlgorithm) as exc:
        raise SignatureError("invalid public key") from exc
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise SignatureError("unsupported public key type")


@lru_cache(maxsize=256)
def load_private_key(pem: str | bytes) -> PrivateKey:
    """Parse a PEM private key once; OpenSSL's RSA key check makes parsing cost milliseconds."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValueError("only RSA and Ed25519 private keys can sign")
    return key


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)


_PKCS1V15, _SHA256 = padding.PKCS1v15(), hashes.SHA256()  # stateless: built once, not per verify


def check_signature(key: PublicKey, algorithm: str, data: bytes, signature: bytes) -> bool:
    """True when `signature` over `data` verifies with `key` under an RFC 9421 algorithm name
    (rsa-v1_5-sha256, rsa-pss-sha512 or ed25519); a key of the wrong type never verifies."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algorithm == "rsa-v1_5-sha256":
                key.verify(signature, data, _PKCS1V15, _SHA256)
                return True
            if algorithm == "rsa-pss-sha512":
                key.verify(signature, data, _pss(), hashes.SHA512())
                return True
        elif isinstance(key, ed25519.Ed25519PublicKey) and algorithm == "ed25519":
            key.verify(signature, data)
            return True
    except InvalidSignature:
        pass
    return False


def sign_bytes(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    """Sign `data` under an RFC 9421 algorithm name; ValueError if the key cannot do it."""
    if isinstance(key, rsa.RSAPrivateKey) and algorithm == "rsa-v1_5-sha256":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, rsa.RSAPrivateKey) and algorithm == "rsa-pss-sha512":
        return key.sign(data, _pss(), hashes.SHA512())
    if isinstance(key, ed25519.Ed25519PrivateKey) and algorithm == "ed25519":
        return key.sign(data)
    raise ValueError(f"cannot sign {algorithm} with a {type(key).__name__}")


def _key_checks(info: PublicKeyInfo, check: Callable[[PublicKey], bool]) -> bool:
    if not isinstance(info.pem, str):
        raise SignatureError("invalid public key")
    return check(load_public_key(info.pem))


async def verify_with_key_refresh(key_id: str, resolve_key: KeyResolver,
                                  check: Callable[[PublicKey], bool]) -> PublicKeyInfo:
    """Resolve `key_id` and run `check` with it; on failure refetch the key once (the actor may
    have rotated it) and retry. Returns the key that verified, else raises SignatureError."""
    info = await resolve_key(key_id, False)
    if info is None:
        raise SignatureError("unknown key")
    reason = "signature does not verify"
    try:
        if _key_checks(info, check):
            return info
    except SignatureError as exc:
        reason = exc.reason  # a stale stored key may be unparsable; the refetch below decides
    fresh = await resolve_key(key_id, True)
    if fresh is None:
        raise SignatureError("unknown key")
    if fresh.pem != info.pem and _key_checks(fresh, check):
        return fresh
    raise SignatureError(reason if fresh.pem == info.pem else "signature does not verify")


# --- headers, dates and digests ------------------------------------------------------------

class LowerHeaders(dict):
    """Header fields by lower-case name, repeated fields joined with ", " as HTTP allows."""


def lower_headers(headers: Mapping[str, str]) -> LowerHeaders:
    """Copy any header mapping (dict, starlette or httpx Headers) into a LowerHeaders.
    Values are checked only where they are used (see `header_value`)."""
    if isinstance(headers, LowerHeaders):
        return headers
    try:
        items = list(headers.items())  # starlette's Headers.items() repeats multi-line fields
        # str.lower / str.strip refuse bytes and other non-text names and values
        out = LowerHeaders((str.lower(name), str.strip(value)) for name, value in items)
        if len(out) != len(items):
            out = LowerHeaders()
            for name, value in items:
                name, value = str.lower(name), str.strip(value)
                out[name] = f"{out[name]}, {value}" if name in out else value
    except Exception as exc:  # a foreign mapping or non-text names: nothing we can trust
        raise SignatureError("unreadable headers") from exc
    return out


def header_value(headers: LowerHeaders, name: str) -> str:
    """A header's value fit for a signature base; SignatureError if absent or unfit."""
    value = headers.get(name)
    if value is None:
        raise SignatureError(f"signed header {name[:40]} is missing")
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise SignatureError(f"malformed {name[:40]} header")
    return value


def utcnow(now: datetime | None) -> datetime:
    """`now` as an aware datetime (naive means UTC), or the current time."""
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def check_freshness(when: float, now: datetime, what: str) -> None:
    """Refuse POSIX times more than MAX_AGE before or MAX_SKEW after `now`."""
    # plain numbers, so absurd remote timestamps cannot overflow datetime
    seconds = now.timestamp()
    if when < seconds - MAX_AGE.total_seconds():
        raise SignatureError(f"{what} too old")
    if when > seconds + MAX_SKEW.total_seconds():
        raise SignatureError(f"{what} in the future")


_IMF_FIXDATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) "
                          r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                          r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def http_date_timestamp(value: str) -> float:
    """POSIX time of an HTTP Date header; the usual IMF-fixdate form skips the slow generic parser."""
    try:
        if match := _IMF_FIXDATE.fullmatch(value):
            day, month, year, hour, minute, second = match.groups()
            return datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute),
                            int(second), tzinfo=timezone.utc).timestamp()
        when = parsedate_to_datetime(value)  # RFC 850 and asctime forms, which HTTP still allows
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise SignatureError("malformed Date header") from exc


def digest_header(body: bytes) -> str:
    """The legacy `Digest` header value for `body`: "SHA-256=<base64>"."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def check_digests(pairs: list[tuple[str, bytes]], body: bytes, header: str) -> None:
    """Every digest we know must match `body`, and at least one must be known."""
    known = [(alg, value) for alg, value in pairs if alg in _DIGESTS]
    if not known:
        raise SignatureError(f"{header} has no SHA-256 or SHA-512 digest")
    for alg, value in known:
        if _DIGESTS[alg](body).digest() != value:
            raise SignatureError(f"{header} does not match the body")


def check_digest_header(value: str | None, body: bytes) -> None:
    """Check a legacy `Digest: SHA-256=..` header (RFC 3230) against `body`."""
    if value is None:
        raise SignatureError("missing Digest header")
    pairs = []
    for part in value.split(","):
        alg, sep, b64 = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed Digest header")
        pairs.append((alg.lower(), base64_bytes(b64, "malformed Digest header")))
    check_digests(pairs, body, "Digest")


def base64_bytes(value: str, reason: str) -> bytes:
    """Strict base64 of a header field, else SignatureError(reason)."""
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:  # binascii.Error, or non-ASCII text
        raise SignatureError(reason) from exc


def digest_required(body: bytes | None, require_digest: bool | None) -> bool:
    """Whether a signed digest is needed: the caller's choice, else whenever there is a body."""
    return bool(body) if require_digest is None else require_digest


# --- URLs ------------------------------------------------------------------------------------

def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, host[:port], path?query) of an absolute http(s) URL, or ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.netloc.rpartition("@")[2], target


def without(headers: Mapping[str, str], names: set[str]) -> dict[str, str]:
    """A copy of `headers` minus any of `names` (lower-case), whatever their case."""
    return {k: v for k, v in headers.items() if k.lower() not in names}

