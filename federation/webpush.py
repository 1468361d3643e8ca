"""Web Push as Mastodon sends it: a payload encrypted for one subscription (RFC 8291, `aes128gcm`) and POSTed to
its push service with the instance's VAPID signature (RFC 8292).

The encryption is pywebpush's (its `WebPusher.encode` over http_ece), the signature py-vapid's (federation.vapid);
the POST is ours, through the caller's guarded client (federation.netguard), its answer classified as deliveries
are.
"""
from __future__ import annotations

import base64
import binascii

import anyio
import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from federation.deliver import DeliveryOutcome, Outcome, classify
from federation.fetch import FetchError, check_scheme
from federation.netguard import AddressRefused, check_before_connect

TTL = 48 * 3600  # seconds a push service keeps an undelivered message (Mastodon's)
URGENCY = "normal"  # RFC 8030 §5.3, as Mastodon sends every notification
AUTH_SECRET_BYTES = 16  # RFC 8291 §3.2


def subscription_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """A subscription's keys in canonical form (URL-safe base64, unpadded), or ValueError saying why they cannot
    be encrypted to: `p256dh` must be a P-256 point, `auth` a 16-byte secret."""
    try:
        point = _unb64(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        raise ValueError("p256dh must be a P-256 public key in URL-safe base64") from None
    try:
        secret = _unb64(auth)
    except (ValueError, binascii.Error):
        secret = b""
    if len(secret) != AUTH_SECRET_BYTES:
        raise ValueError("auth must be 16 bytes in URL-safe base64")
    return _b64(point), _b64(secret)


def encrypt(payload: bytes, endpoint: str, p256dh: str, auth: str) -> bytes:
    """The body of one push: `payload` encrypted for this subscription (aes128gcm, a new ephemeral key each)."""
    from pywebpush import WebPusher  # here: it brings aiohttp and requests (~0.3 s), which only pushing needs

    pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})
    return pusher.encode(payload, content_encoding="aes128gcm")["body"]


async def push(client: httpx.AsyncClient, endpoint: str, body: bytes, authorization_header: str, *,
               allow_http: bool = False, allow_private: bool = False, timeout: float = 10.0,
               ttl: int = TTL, urgency: str = URGENCY) -> DeliveryOutcome:
    """POST an encrypted push to `endpoint`. Never raises for remote failures: 2xx delivered; 404 and 410 gone
    (the subscription expired or was withdrawn, RFC 8030 §6.2); 408, 429, 5xx and network errors retried;
    other answers, redirects and refused addresses rejected."""
    try:
        url = check_scheme(endpoint, allow_http=allow_http)
    except FetchError as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=exc.reason)
    headers = {"Content-Type": "application/octet-stream", "Content-Encoding": "aes128gcm",
               "TTL": str(ttl), "Urgency": urgency, "Authorization": authorization_header}
    try:
        with anyio.fail_after(timeout):
            await check_before_connect(client, url, allow_private=allow_private)
            async with client.stream("POST", url, content=body, headers=headers, follow_redirects=False,
                                     timeout=timeout) as response:  # the answer's body is never read
                status, retry_after = response.status_code, response.headers.get("Retry-After")
    except AddressRefused as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=exc.reason)
    except (TimeoutError, httpx.TimeoutException):
        return DeliveryOutcome(Outcome.RETRY, reason=f"timed out after {timeout}s")
    except (OSError, httpx.TransportError) as exc:
        return DeliveryOutcome(Outcome.RETRY, reason=f"network error: {exc}")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=f"unusable request: {exc}")
    if status == 404:
        return DeliveryOutcome(Outcome.GONE, 404, reason="HTTP 404")
    return classify(status, retry_after)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """URL-safe base64 with or without padding (apps send both; some send the standard alphabet)."""
    text = text.strip().replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
