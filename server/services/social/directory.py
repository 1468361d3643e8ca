"""Who a member directory lists: discoverable people (local ones approved, confirmed and not disabled),
and verified members by specialty or profession. Names are the public ones: a pseudonymous member is
listed under their alias (server.services.accounts.professional_profile)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, Actor, Post, Verification
from server.db.types import utcnow
from server.services.accounts.professional_profile import check_profession, check_specialty
from server.services.accounts.specialties import specialty_name
from server.services.social.account_publicity import is_public


def listed():
    """Actors a directory may list: discoverable people the world may see (server.services.social.account_publicity)."""
    return select(Actor).where(Actor.discoverable.is_(True), Actor.actor_type.in_(("Person", "Service")),
                               is_public())


async def discoverable(session: AsyncSession, *, only_local: bool, order: str, limit: int, offset: int) -> list[Actor]:
    """Mastodon's directory: `order` "new" (newest accounts) or "active" (latest post first)."""
    query = listed()
    if only_local:
        query = query.where(Actor.local.is_(True))
    if order == "new":
        query = query.order_by(Actor.id.desc())
    else:
        last = select(func.max(Post.published)).where(Post.author_id == Actor.id).scalar_subquery()
        query = query.order_by(last.desc().nulls_last(), Actor.id.desc())
    return list((await session.execute(query.offset(offset).limit(limit))).scalars())


def current_verifications():
    """(actor id, specialty code) of members whose verification is in force now."""
    now = utcnow()
    return select(Account.actor_id, Verification.specialty_code).join(
        Verification, Verification.account_id == Account.id).where(
        Verification.revoked_at.is_(None), Verification.valid_from <= now, Verification.valid_until > now)


async def verified_specialties(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(NUCC code, name, how many) of the specialties the directory's verified members hold, by name."""
    current = current_verifications().subquery()
    listed_ids = listed().where(Actor.local.is_(True)).with_only_columns(Actor.id)
    rows = await session.execute(select(current.c.specialty_code, func.count()).where(
        current.c.actor_id.in_(listed_ids)).group_by(current.c.specialty_code))
    named = [(code, specialty_name(code) or code, count) for code, count in rows.all() if code]
    return sorted(named, key=lambda row: row[1].lower())


async def verified_members(session: AsyncSession, *, specialty: str | None = None, profession: str | None = None,
                           limit: int = 40, offset: int = 0) -> list[Actor]:
    """Verified, discoverable local members, optionally of one specialty (NUCC code) or profession, by
    name. Raises ServiceError for an unknown specialty or profession."""
    current = current_verifications().with_only_columns(Account.actor_id)
    if specialty:
        current = current.where(Verification.specialty_code == check_specialty(specialty, None))
    if profession:
        current = current.where(Verification.profession == check_profession(profession))
    query = listed().where(Actor.local.is_(True), Actor.id.in_(current)).order_by(func.lower(Actor.display_name),
                                                                               Actor.id)
    return list((await session.execute(query.offset(offset).limit(limit))).scalars())
