"""What one queued push says, read when it is sent: a notification dismissed since is not pushed (its row went
with it), nor one whose sender she has blocked or muted since, as her notifications no longer show it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.notification_to_push import notification_to_push
from server.db.models import Account, Actor, Notification, Post, PushDelivery, PushSubscription
from server.i18n import supported
from server.services.push.subscriptions import unseal
from server.services.reading.timelines import visible_notifications


@dataclass(frozen=True)
class Outgoing:
    """A push ready to encrypt: to `subscription`, the JSON `payload`."""
    delivery_id: int
    attempts: int
    subscription: PushSubscription
    payload: dict


async def outgoing(session: AsyncSession, delivery_ids: list[int], *, secret_key: str, default_locale: str = "en",
                   base_url: str) -> tuple[list[Outgoing], list[int]]:
    """The pushes of these queued rows, and the rows that have nothing left to push."""
    query = (select(PushDelivery, PushSubscription, Notification)
             .join(PushSubscription, PushSubscription.id == PushDelivery.subscription_id)
             .join(Notification, Notification.id == PushDelivery.notification_id)
             .where(PushDelivery.id.in_(delivery_ids)))
    ready, void = [], []
    for delivery, subscription, notification in (await session.execute(query)).all():
        payload = await _payload(session, subscription, notification, secret_key, base_url, default_locale)
        if payload is None:
            void.append(delivery.id)
        else:
            ready.append(Outgoing(delivery.id, delivery.attempts, subscription, payload))
    return ready, void


async def _payload(session: AsyncSession, subscription: PushSubscription, notification: Notification,
                   secret_key: str, base_url: str, default_locale: str) -> dict | None:
    recipient = await session.get(Actor, subscription.actor_id)
    token = unseal(secret_key, subscription.sealed_token)
    if recipient is None or token is None or not await visible_notifications(session, [notification], recipient):
        return None
    locale = await session.scalar(select(Account.locale).where(Account.actor_id == recipient.id))
    sender = await session.get(Actor, notification.from_actor_id)
    post = await session.get(Post, notification.post_id) if notification.post_id else None
    locale = supported(locale) or default_locale
    return notification_to_push(notification, sender, post, access_token=token, locale=locale,
                                base_url=base_url)
