"""A push queued for each new notification that a subscription wants, in the transaction that makes it."""
from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import effects
from server.db.models import Account, Follow, Notification, OAuthToken, PushDelivery, PushSubscription

QUEUE = "push"  # the worker's runner (server.jobs.push), woken after the commit


async def queue_pushes(session: AsyncSession, notifications: list[Notification]) -> int:
    """Queue a push of each notification to each subscription of its recipient whose alerts take its type and
    whose policy takes its sender; how many. The worker is woken once the transaction commits."""
    subscriptions = await _subscriptions_of(session, {n.recipient_id for n in notifications})
    if not subscriptions:
        return 0
    follows = await _follows(session, notifications, subscriptions)
    rows = [PushDelivery(subscription_id=s.id, notification_id=n.id) for n in notifications for s in subscriptions
            if s.actor_id == n.recipient_id and s.alerts.get(n.type) and _policy_allows(s.policy, n, follows)]
    session.add_all(rows)
    if rows:
        effects.wake(session, QUEUE)
    return len(rows)


async def _subscriptions_of(session: AsyncSession, actor_ids: set[int]) -> list[PushSubscription]:
    if not actor_ids:
        return []
    query = (select(PushSubscription).join(OAuthToken, OAuthToken.id == PushSubscription.token_id)
             .join(Account, Account.id == OAuthToken.account_id)
             .where(PushSubscription.actor_id.in_(actor_ids), PushSubscription.policy != "none",
                    OAuthToken.revoked_at.is_(None), Account.disabled_at.is_(None)))
    return list((await session.execute(query)).scalars())


async def _follows(session: AsyncSession, notifications: list[Notification],
                   subscriptions: list[PushSubscription]) -> set[tuple[int, int]]:
    """(follower, followed) among recipients and senders, when a subscription's policy asks."""
    if all(s.policy == "all" for s in subscriptions):
        return set()
    pairs = {(n.recipient_id, n.from_actor_id) for n in notifications}
    pairs |= {(b, a) for a, b in pairs}
    query = select(Follow.follower_id, Follow.followed_id).where(
        tuple_(Follow.follower_id, Follow.followed_id).in_(pairs), Follow.state == "accepted")
    return set(map(tuple, (await session.execute(query)).all()))


def _policy_allows(policy: str, notification: Notification, follows: set[tuple[int, int]]) -> bool:
    """Mastodon's policies: all; followed (she follows the sender); follower (the sender follows her)."""
    if policy == "followed":
        return (notification.recipient_id, notification.from_actor_id) in follows
    if policy == "follower":
        return (notification.from_actor_id, notification.recipient_id) in follows
    return policy == "all"
