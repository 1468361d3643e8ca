"""A member's notification policy (Mastodon 4.3's /api/v2/notifications/policy): stored, changed, summarised,
and applied as notifications are made (server.services.posts.fanout.notify). The decision itself is
moderation.notification_policy; this module finds out who the sender is to the recipient."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from moderation.notification_policy import DEFAULTS, FIELDS, FOLLOWER_DAYS, NEW_ACCOUNT_DAYS, Sender, checked_choice
from moderation.notification_policy import decide as decide_one
from server.db.models import Account, AccountModeration, Actor, Follow, Notification, NotificationPolicy, Post
from server.db.types import utcnow
from server.services.moderation.policies import policies_for

STAFF_ROLES = ("moderator", "admin")


async def policy_of(session: AsyncSession, actor_id: int) -> dict[str, str]:
    row = await session.get(NotificationPolicy, actor_id)
    return {name: getattr(row, name) for name in FIELDS} if row else dict(DEFAULTS)


async def change_policy(session: AsyncSession, actor_id: int, changes: dict[str, object]) -> dict[str, str]:
    """Set the fields given in `changes` (the others keep their value); ServiceError for a wrong field or choice."""
    try:
        checked = {name: checked_choice(name, value) for name, value in changes.items()}
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    policy = {**await policy_of(session, actor_id), **checked}
    await session.merge(NotificationPolicy(actor_id=actor_id, **policy))
    return policy


async def summary(session: AsyncSession, actor_id: int) -> dict[str, int]:
    """Mastodon's `summary`: how many senders and notifications the policy set aside."""
    senders, count = (await session.execute(
        select(func.count(distinct(Notification.from_actor_id)), func.count()).where(
            Notification.recipient_id == actor_id, Notification.filtered.is_(True)))).one()
    return {"pending_requests_count": int(senders or 0), "pending_notifications_count": int(count or 0)}


async def decide(session: AsyncSession, kind: str, recipient_ids: list[int], sender_id: int,
                 post_id: int | None) -> dict[int, str]:
    """accept / filter / drop for each local recipient of a notification of `kind` from `sender_id`."""
    policies = {r: await policy_of(session, r) for r in recipient_ids}
    sender = await session.get(Actor, sender_id)
    post = await session.get(Post, post_id) if post_id else None
    common = await _sender_facts(session, sender)
    out = {}
    for recipient_id in recipient_ids:
        facts = Sender(**common, **await _relation(session, recipient_id, sender_id, post, kind))
        out[recipient_id] = decide_one(policies[recipient_id], kind, facts)
    return out


async def _sender_facts(session: AsyncSession, sender: Actor) -> dict[str, bool]:
    now = utcnow()
    role, joined = (await session.execute(select(Account.role, Account.created_at).where(
        Account.actor_id == sender.id))).one_or_none() or (None, sender.published or sender.created_at)
    sanction = await session.get(AccountModeration, sender.id)
    limited = bool(sanction and sanction.limited_at) or (not sender.local and
                                                         (await policies_for(session)).effective(sender.domain).limited)
    return {"new": joined is not None and joined > now - timedelta(days=NEW_ACCOUNT_DAYS), "limited": limited,
            "staff": role in STAFF_ROLES}


async def _relation(session: AsyncSession, recipient_id: int, sender_id: int, post: Post | None,
                    kind: str) -> dict[str, bool]:
    follows = dict((await session.execute(select(Follow.follower_id, Follow.created_at).where(
        Follow.state == "accepted", ((Follow.follower_id == recipient_id) & (Follow.followed_id == sender_id))
        | ((Follow.follower_id == sender_id) & (Follow.followed_id == recipient_id))))).all())
    since = follows.get(sender_id)
    answering = post is not None and post.in_reply_to_id is not None and await session.scalar(
        select(Post.author_id).where(Post.id == post.in_reply_to_id)) == recipient_id
    return {"followed": recipient_id in follows,
            "follower": since is not None and since <= utcnow() - timedelta(days=FOLLOWER_DAYS),
            "private_mention": kind == "mention" and post is not None and post.visibility == "direct"
            and not answering}
