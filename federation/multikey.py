"""Ed25519 keys as Multikey strings, and multibase base58btc.

A Multikey value (W3C Controlled Identifiers, FEP-521a) is multibase base58btc text: the prefix
`z`, then base58btc of the multicodec varint followed by the raw key. Ed25519 public keys use
multicodec 0xed (varint bytes ed 01, so the text starts `z6Mk`); Ed25519 private keys use 0x1300
(varint bytes 80 26, text starts `z3u2`).
"""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# Base58 decoding is quadratic; nothing we decode (keys, signatures) comes near this.
MAX_MULTIBASE_CHARS = 512

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


class MultikeyError(ValueError):
    """Text is not valid multibase, or not the expected Ed25519 Multikey."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def b58encode(data: bytes) -> str:
    """Encode bytes as base58 with the Bitcoin alphabet; leading zero bytes become '1's."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rem = divmod(number, 58)
        chars.append(ALPHABET[rem])
    return "1" * zeros + "".join(reversed(chars))


def b58decode(text: str) -> bytes:
    """Decode Bitcoin-alphabet base58; raises MultikeyError on any character outside it."""
    if len(text) > MAX_MULTIBASE_CHARS:
        raise MultikeyError("base58 text too long")
    number = 0
    for ch in text:
        digit = _INDEX.get(ch)
        if digit is None:
            raise MultikeyError(f"invalid base58 character {ch!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


def encode_multibase(data: bytes) -> str:
    """Multibase base58btc: 'z' followed by base58btc(data)."""
    return "z" + b58encode(data)


def decode_multibase(text: object) -> bytes:
    """Decode multibase base58btc text; only the 'z' base is accepted."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise MultikeyError("not multibase base58btc (must be a string starting with 'z')")
    return b58decode(text[1:])


def encode_public_key(key: Ed25519PublicKey) -> str:
    """Ed25519 public key -> Multikey text (`z6Mk...`)."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_multibase(ED25519_PUB_PREFIX + raw)


def decode_public_key(text: object) -> Ed25519PublicKey:
    """Multikey text -> Ed25519 public key; raises MultikeyError unless it is exactly one."""
    raw = _unwrap(text, ED25519_PUB_PREFIX, "public")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise MultikeyError("invalid Ed25519 public key") from exc


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """Ed25519 private key (its 32-byte seed) -> Multikey text (`z3u2...`)."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_multibase(ED25519_PRIV_PREFIX + raw)


def decode_private_key(text: object) -> Ed25519PrivateKey:
    """Multikey text -> Ed25519 private key; raises MultikeyError unless it is exactly one."""
    return Ed25519PrivateKey.from_private_bytes(_unwrap(text, ED25519_PRIV_PREFIX, "private"))


def multikey_document(key_id: str, controller: str, key: Ed25519PublicKey) -> dict:
    """A Multikey verification method object, as published in an actor's `assertionMethod`."""
    return {"id": key_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": encode_public_key(key)}


def parse_multikey_document(doc: object) -> tuple[str, str, Ed25519PublicKey]:
    """Read a Multikey verification method object: returns (id, controller, public key)."""
    if not isinstance(doc, dict) or doc.get("type") != "Multikey":
        raise MultikeyError("not a Multikey verification method")
    key_id, controller = doc.get("id"), doc.get("controller")
    if not isinstance(key_id, str) or not isinstance(controller, str):
        raise MultikeyError("Multikey needs string id and controller")
    return key_id, controller, decode_public_key(doc.get("publicKeyMultibase"))


def _unwrap(text: object, prefix: bytes, kind: str) -> bytes:
    data = decode_multibase(text)
    if not data.startswith(prefix):
        raise MultikeyError(f"not an Ed25519 {kind} key multicodec")
    raw = data[len(prefix):]
    if len(raw) != 32:
        raise MultikeyError(f"Ed25519 {kind} key must be 32 bytes, got {len(raw)}")
    return raw
