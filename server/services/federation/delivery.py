"""Queue an activity for delivery: one Delivery row per inbox, a host's shared inbox standing for all
its recipients, written in the caller's transaction so that the activity and its deliveries commit
together (and a crash loses neither)."""
from __future__ import annotations

import json
from typing import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import effects
from server.db.models import Actor, Delivery, Follow
from server.db.upsert import insert_ignore
from server.services.moderation.policies import policies_for


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def inboxes_for(recipients: Iterable[Actor]) -> list[str]:
    """The inboxes to POST to: remote recipients only, shared inbox where the actor has one, no repeats."""
    seen: dict[str, None] = {}
    for actor in recipients:
        if actor.local:
            continue
        inbox = actor.shared_inbox or actor.inbox
        if inbox:
            seen.setdefault(inbox, None)
    return list(seen)


async def remote_followers(session: AsyncSession, actor_id: int) -> list[Actor]:
    query = (select(Actor).join(Follow, Follow.follower_id == Actor.id)
             .where(Follow.followed_id == actor_id, Follow.state == "accepted", Actor.local.is_(False)))
    return list((await session.execute(query)).scalars())


async def enqueue_activity(session: AsyncSession, activity: dict, signer: Actor,
                           recipients: Iterable[Actor] = (), inboxes: Iterable[str] = ()) -> int:
    """Queue `activity` (which must have an id) signed by local `signer`; returns deliveries queued.

    The caller commits; the delivery queue wakes after the commit. Queuing the same activity to the same
    inbox twice is a no-op. Nothing is queued to a host the domain policies forbid delivering to (suspended,
    or not allowed).
    """
    policies = await policies_for(session)
    targets = [inbox for inbox in dict.fromkeys([*inboxes_for(recipients), *inboxes])
               if inbox and policies.effective(_host(inbox)).deliver]
    body = json.dumps(activity, separators=(",", ":"), ensure_ascii=False)
    rows = [{"activity_uri": activity["id"], "inbox": inbox, "host": _host(inbox),
             "body": body, "signer_id": signer.id} for inbox in targets]
    if rows:
        effects.wake(session, "deliveries")
    return await insert_ignore(session, Delivery, rows)
