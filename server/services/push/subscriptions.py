"""A member's push subscriptions: one per access token (a new one replaces it), gone when the token is revoked."""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from federation.fetch import FetchError, check_scheme
from federation.vapid import load_vapid_key, public_key_text
from federation.webpush import subscription_keys
from moderation.errors import Kind, ServiceError
from server.db.models import PushSubscription
from server.settings import Settings

# The notification types an app may ask to be pushed (Mastodon 4.3's Notification::TYPES).
ALERTS = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
          "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning")
POLICIES = ("all", "followed", "follower", "none")  # from whom: anyone, whom she follows, who follow her, nobody
MAX_ENDPOINT = 2048


def server_key(settings: Settings) -> str:
    """The instance's VAPID public key, as apps take it (empty where none is kept: settings built by hand)."""
    return public_key_text(load_vapid_key(settings.vapid_key.encode())) if settings.vapid_key else ""


@dataclass(frozen=True)
class Wanted:
    """What an app asks to be pushed: `alerts` by notification type (absent: not pushed), and `policy`."""
    alerts: dict[str, bool]
    policy: str = "all"


@dataclass(frozen=True)
class Endpoint:
    url: str
    p256dh: str
    auth: str


async def subscribe(session: AsyncSession, secret_key: str, *, token_id: int, token: str, actor_id: int,
                    endpoint: Endpoint, wanted: Wanted, allow_http: bool) -> PushSubscription:
    """Subscribe the token's app to pushes at `endpoint`, replacing its subscription if it had one."""
    endpoint = _checked(endpoint, allow_http)
    _check_wanted(wanted)
    await unsubscribe(session, token_id)
    row = PushSubscription(token_id=token_id, actor_id=actor_id, endpoint=endpoint.url, key_p256dh=endpoint.p256dh,
                           key_auth=endpoint.auth, alerts=_alerts(wanted), policy=wanted.policy,
                           sealed_token=seal(secret_key, token))
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same token subscribed at the same moment, in another request
        raise ServiceError("Conflict during update, please try again", Kind.CONFLICT) from None
    return row


async def subscription_of(session: AsyncSession, token_id: int) -> PushSubscription:
    row = (await session.execute(select(PushSubscription).where(PushSubscription.token_id == token_id))).scalar()
    if row is None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return row


async def change(session: AsyncSession, token_id: int, wanted: Wanted) -> PushSubscription:
    """Replace what the token's subscription pushes (alerts and policy, as Mastodon's update replaces `data`)."""
    _check_wanted(wanted)
    row = await subscription_of(session, token_id)
    row.alerts, row.policy = _alerts(wanted), wanted.policy
    await session.flush()
    return row


async def unsubscribe(session: AsyncSession, token_id: int) -> None:
    await unsubscribe_tokens(session, [token_id])


async def unsubscribe_tokens(session: AsyncSession, token_ids: list[int]) -> None:
    """Drop the subscriptions of these tokens (revoked, or replaced), and the pushes still queued for them."""
    if token_ids:
        await session.execute(delete(PushSubscription).where(PushSubscription.token_id.in_(token_ids)))


def _checked(endpoint: Endpoint, allow_http: bool) -> Endpoint:
    """The endpoint, its keys in canonical form; a refusal saying what is wrong."""
    if len(endpoint.url) > MAX_ENDPOINT:
        raise ServiceError(f"subscription[endpoint] is longer than {MAX_ENDPOINT} characters")
    try:
        check_scheme(endpoint.url, allow_http=allow_http)
    except FetchError:
        scheme = "an http or https" if allow_http else "an https"
        raise ServiceError(f"subscription[endpoint] must be {scheme} URL") from None
    try:
        return Endpoint(endpoint.url, *subscription_keys(endpoint.p256dh, endpoint.auth))
    except ValueError as exc:
        raise ServiceError(f"subscription[keys]: {exc}") from None


def _check_wanted(wanted: Wanted) -> None:
    if wanted.policy not in POLICIES:
        raise ServiceError(f"data[policy] must be one of {', '.join(POLICIES)}")


def _alerts(wanted: Wanted) -> dict[str, bool]:
    return {kind: bool(wanted.alerts.get(kind)) for kind in ALERTS}


# The access token travels in each push (apps fetch the notification with it), so it is kept, sealed: a copy of the
# database alone does not give it away, as it gives no other token (they are kept as hashes).

def _sealing_key(secret_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"curbside push access token|" + secret_key.encode()).digest())


def seal(secret_key: str, text: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _sealing_key(secret_key).encrypt(nonce, text.encode(), None)).decode()


def unseal(secret_key: str, sealed: str) -> str | None:
    """The sealed text; None when it was sealed under another secret key (changed since)."""
    data = base64.b64decode(sealed)
    try:
        return _sealing_key(secret_key).decrypt(data[:12], data[12:], None).decode()
    except InvalidTag:
        return None
