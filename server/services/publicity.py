"""Whether the world may see an account: the one rule behind every surface that shows or finds accounts (web
profiles, ActivityPub actors and their collections, WebFinger, personal inboxes, the client API, search,
directories, mentions, follows, the instance's member counts).

A local account is public once its email address is confirmed and an admin approved it (open registration
approves at sign-up), and until it is disabled. Before that it is an applicant: the admin's queue shows it,
everything else answers as for nobody (404). Remote actors are public here; what moderation hides of them
(suspended accounts and domains) is server.services.moderation.filters."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor


def hidden_members() -> Select:
    """The actor ids of local accounts the world may not see: unconfirmed, unapproved or disabled."""
    return select(Account.actor_id).where(or_(Account.confirmed_at.is_(None), Account.approved_at.is_(None),
                                              Account.disabled_at.is_not(None)))


def is_public(actor_id: ColumnElement) -> ColumnElement:
    """A WHERE clause: the actor whose id is `actor_id` is not a hidden local account."""
    return actor_id.not_in(hidden_members())


def public_members() -> Select:
    """The actor ids of local accounts the world may see (for counting members)."""
    return select(Account.actor_id).where(is_public(Account.actor_id))


async def hidden_among(session: AsyncSession, actors: list[Actor]) -> set[int]:
    """The ids of those of `actors` that are hidden local accounts (one query, none without local actors)."""
    local = [a.id for a in actors if a.local]
    if not local:
        return set()
    return set((await session.execute(hidden_members().where(Account.actor_id.in_(local)))).scalars())


async def is_hidden(session: AsyncSession, actor: Actor) -> bool:
    return bool(await hidden_among(session, [actor]))
