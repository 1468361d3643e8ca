"""Posts addressed to a group hosted here (in `to`, `cc`, `audience`, or a mention of it), relayed by the group
to its followers wrapped in an `Announce` signed by the group, the activity embedded (FEP-1b12, as Lemmy).

Only public and unlisted posts are relayed (a followers-only or direct post that names the group is not the
group's to publish), only from those who may post (members, or anyone the join policy would take), and a
members-only group delivers nothing off-instance. Each refusal is logged with its reason."""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from federation.addressing import addressees, is_publicly_addressed
from server.db.models import Actor, Group
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.groups import joining

log = logging.getLogger("curbside.groups")


async def addressed_groups(runtime: Runtime, session: AsyncSession, create: dict, note: dict) -> list[Group]:
    """The groups hosted here that the activity or its object names. Only a name under the groups' path here
    is looked up: most Creates name none, and the inbox runner handles them by the hundred."""
    prefix = runtime.urls.group("")
    named = {uri for uri in addressees(create) | addressees(note) if uri.startswith(prefix)}
    if not named:
        return []
    query = (select(Group).join(Actor, Actor.id == Group.actor_id)
             .where(Actor.uri.in_(sorted(named)), Actor.local.is_(True)))
    return list((await session.execute(query)).scalars())


def announce_id(group: Group, activity_id: str) -> str:
    """One Announce per relayed activity (stable: a repeated delivery queues nothing new)."""
    return f"{group.actor.uri}/activities/announce/{hashlib.sha256(activity_id.encode()).hexdigest()[:32]}"


async def _relay_one(runtime: Runtime, session: AsyncSession, group: Group, create: dict, author: Actor) -> int:
    name = group.actor.username
    allowed = await joining.may_post(runtime, session, group, author)
    if allowed.refused:
        log.info("group %s: not relaying %s by %s: %s", name, create["id"], author.uri, allowed.reason)
        return 0
    if group.members_only:
        return 0  # never leaves the instance
    announce = activities.group_announce(announce_id(group, create["id"]), group.actor.uri,
                                         group.actor.followers_url, create)
    return await enqueue_activity(session, announce, group.actor, await remote_followers(session, group.actor_id))


async def relay_create(runtime: Runtime, session: AsyncSession, create: dict, note: dict, author: Actor) -> int:
    """Relay a Create (its object `note`, trusted) by `author` to the followers of every group here it is
    addressed to; returns the deliveries queued. The caller commits."""
    groups = await addressed_groups(runtime, session, create, note)
    if groups and not is_publicly_addressed(note):
        log.info("not relaying %s to %s: only public posts are relayed", create["id"],
                 ", ".join(g.actor.username for g in groups))
        return 0
    embedded = {**{k: v for k, v in create.items() if k != "@context"}, "object": note}
    return sum([await _relay_one(runtime, session, g, embedded, author) for g in groups])
