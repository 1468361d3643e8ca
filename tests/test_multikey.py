"""Ed25519 Multikey and multibase base58btc."""
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from federation.multikey import (
    MultikeyError,
    b58decode,
    b58encode,
    decode_private_key,
    decode_public_key,
    encode_private_key,
    encode_public_key,
    multikey_document,
    parse_multikey_document,
)


def _raw(public_key) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"\0", "1"), (b"\0\0\x01", "112"), (b"hello world", "StV1DL6CwTryKyV"), (b"\xff" * 4, "7YXq9G")],
)
def test_b58_round_trips_known_values(data, text):
    assert b58encode(data) == text
    assert b58decode(text) == data


@pytest.mark.parametrize("text", ["0abc", "Iabc", "lx", "O", "abc!"])
def test_b58decode_refuses_characters_outside_the_alphabet(text):
    with pytest.raises(MultikeyError):
        b58decode(text)


def test_multikey_public_key_round_trips_with_z6mk_prefix():
    key = Ed25519PrivateKey.generate().public_key()
    text = encode_public_key(key)
    assert text.startswith("z6Mk")
    assert _raw(decode_public_key(text)) == _raw(key)


def test_multikey_private_key_round_trips_with_z3u2_prefix():
    key = Ed25519PrivateKey.generate()
    text = encode_private_key(key)
    assert text.startswith("z3u2")
    assert _raw(decode_private_key(text).public_key()) == _raw(key.public_key())


def test_multikey_decode_refuses_a_private_key_as_public_and_vice_versa():
    key = Ed25519PrivateKey.generate()
    with pytest.raises(MultikeyError, match="public key multicodec"):
        decode_public_key(encode_private_key(key))
    with pytest.raises(MultikeyError, match="private key multicodec"):
        decode_private_key(encode_public_key(key.public_key()))


@pytest.mark.parametrize("text", [None, 42, "", "6Mk", "uAAAA", "z6Mk", "z" + "1" * 600])
def test_multikey_decode_refuses_malformed_input(text):
    with pytest.raises(MultikeyError):
        decode_public_key(text)


def test_multikey_document_round_trips():
    key = Ed25519PrivateKey.generate().public_key()
    doc = multikey_document("https://a.example/actor#main", "https://a.example/actor", key)
    key_id, controller, parsed = parse_multikey_document(doc)
    assert (key_id, controller, _raw(parsed)) == ("https://a.example/actor#main", "https://a.example/actor", _raw(key))
    with pytest.raises(MultikeyError):
        parse_multikey_document({**doc, "type": "JsonWebKey"})
