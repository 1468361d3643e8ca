"""An account moved (server.services.accounts.migration for a member moving out, the inbox's Move for a
remote account): the local members who followed the old account follow the new one instead, with the same
settings, and are told by a `move` notification, as Mastodon does."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Follow
from server.runtime import Runtime
from server.services.posts.fanout import notify
from server.services.social import interactions as social


async def _local_follows(session: AsyncSession, followed: Actor) -> list[tuple[Actor, Follow]]:
    query = (select(Actor, Follow).join(Follow, Follow.follower_id == Actor.id)
             .where(Follow.followed_id == followed.id, Follow.state == "accepted", Actor.local.is_(True)))
    return [(actor, follow) for actor, follow in (await session.execute(query)).all()]


async def move_local_followers(runtime: Runtime, session: AsyncSession, old: Actor, new: Actor) -> int:
    """Each local follower of `old` follows `new` (a Follow queued where `new` is remote) and no longer
    `old`, and is notified; how many moved. The caller commits."""
    moving = [(actor, follow) for actor, follow in await _local_follows(session, old) if actor.id != new.id]
    for follower, follow in moving:
        await social.follow(runtime, session, follower, new, show_boosts=follow.show_boosts,
                            notify_posts=follow.notify)
        await social.unfollow(runtime, session, follower, old)
    await notify(session, "move", [follower.id for follower, _ in moving], old.id)
    return len(moving)
