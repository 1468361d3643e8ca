"""VAPID (RFC 8292): the instance's P-256 key pair, which push services see on every push, and the signed
`Authorization` header of one push. The signing is py-vapid's."""
from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def generate_vapid_key() -> bytes:
    """A new P-256 private key for VAPID, as PEM (PKCS#8)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_vapid_key(pem: bytes) -> Vapid02:
    """The signer for a PEM private key. `sub` is checked by us (a URL of the instance), not by py-vapid's
    pattern, which refuses a port and so every development instance."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("a VAPID key is a P-256 private key")
    return Vapid02(private_key=key, conf={"no-strict": True})


def public_key_text(vapid: Vapid02) -> str:
    """The public key as apps take it (`server_key`, `vapid_key`): URL-safe base64 of the uncompressed point."""
    point = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64(point)


def authorization(vapid: Vapid02, endpoint: str, subject: str, now: float | None = None) -> str:
    """The `Authorization: vapid t=JWT,k=KEY` header for a push to `endpoint` (its origin is the audience)."""
    parts = urlsplit(endpoint)
    expires = int(now if now is not None else time.time()) + 12 * 3600  # RFC 8292 §2: at most 24 hours
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "exp": expires, "sub": subject}
    return vapid.sign(claims)["Authorization"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
