"""Whether the world may see an account: the one rule behind every surface that shows or finds accounts (web
profiles, ActivityPub actors and their collections, WebFinger, personal inboxes, the client API, search,
directories, mentions, follows, the instance's member counts).

A local account is public once its email address is confirmed and an admin approved it (open registration
approves at sign-up), and until it is disabled. Before that it is an applicant: the admin's queue shows it,
everything else answers as for nobody (404). Remote actors are public here; what moderation hides of them
(suspended accounts and domains) is server.services.moderation.hidden_from_viewers."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor


def hidden_account(account=Account) -> ColumnElement:
    """A condition on an accounts row (`Account` or an alias of it): unconfirmed, unapproved or disabled."""
    return or_(account.confirmed_at.is_(None), account.approved_at.is_(None), account.disabled_at.is_not(None))


def is_public() -> ColumnElement:
    """A WHERE clause on `Actor`: not a hidden local account. Remote actors are never looked up; a local one
    by its own row, through the unique index on accounts.actor_id."""
    return or_(Actor.local.is_(False), ~exists().where(Account.actor_id == Actor.id, hidden_account()))


def public_members() -> Select:
    """The actor ids of local accounts the world may see (for counting members)."""
    return select(Account.actor_id).where(not_(hidden_account()))


async def is_hidden(session: AsyncSession, actor: Actor) -> bool:
    """Whether `actor` is a local account the world may not see (no query for remote actors)."""
    return actor.local and await session.scalar(
        select(exists().where(Account.actor_id == actor.id, hidden_account())))
