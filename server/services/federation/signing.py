"""Signing outgoing requests as a local actor: the Signer callables federation.fetch/deliver take."""
from __future__ import annotations

from federation.fetch import Signer
from federation.signatures import sign_request
from server.db.models import Actor


def signer_for(actor: Actor) -> Signer:
    """A Signer that signs as `actor` (a local actor with a private key) with draft-cavage rsa-sha256."""
    if not actor.private_key_pem or not actor.public_key_id:
        raise ValueError(f"{actor.uri} has no private key to sign with")
    key_id, pem = actor.public_key_id, actor.private_key_pem

    def sign(method: str, url: str, headers: dict[str, str], body: bytes | None) -> dict[str, str]:
        return sign_request(method, url, headers, body, key_id, pem)

    return sign
