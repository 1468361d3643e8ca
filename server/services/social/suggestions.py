"""Whom to suggest a member follows (Mastodon's /api/v2/suggestions): colleagues of the same specialty, verified
members first, then those who declared it, each by how many follow them. Only members the directory may list
(server.services.social.directory.listed: discoverable, not applicants nor disabled); never a suspended account,
one the member follows or asked to follow, blocks, is blocked by, mutes, or dismissed as a suggestion."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import AccountModeration, Actor, Block, Follow, MemberProfile, Mute, SuggestionDismissal
from server.services.social.directory import current_verifications, listed


@dataclass(frozen=True)
class Suggestion:
    actor: Actor
    verified: bool  # a verified colleague (else one who declared the specialty)


async def specialty_of(session: AsyncSession, actor_id: int) -> str | None:
    """The member's specialty: the verified one, else the one on their profile."""
    current = current_verifications().subquery()
    verified = await session.scalar(select(current.c.specialty_code).where(
        current.c.actor_id == actor_id, current.c.specialty_code.is_not(None)).limit(1))
    return verified or await session.scalar(select(MemberProfile.specialty_code).where(
        MemberProfile.actor_id == actor_id))


def _excluded(viewer_id: int):
    """Actors never suggested to `viewer_id`."""
    return union(
        select(Follow.followed_id).where(Follow.follower_id == viewer_id),
        select(Block.target_id).where(Block.actor_id == viewer_id),
        select(Block.actor_id).where(Block.target_id == viewer_id),
        select(Mute.target_id).where(Mute.actor_id == viewer_id),
        select(SuggestionDismissal.target_id).where(SuggestionDismissal.actor_id == viewer_id),
        select(AccountModeration.actor_id).where(AccountModeration.suspended_at.is_not(None)))


async def suggestions(session: AsyncSession, viewer_id: int, limit: int) -> list[Suggestion]:
    specialty = await specialty_of(session, viewer_id)
    if not specialty:
        return []
    current = current_verifications().subquery()
    verified = select(current.c.actor_id).where(current.c.specialty_code == specialty)
    declared = select(MemberProfile.actor_id).where(MemberProfile.specialty_code == specialty)
    followers = select(func.count()).where(Follow.followed_id == Actor.id, Follow.state == "accepted") \
        .scalar_subquery()
    is_verified = case((Actor.id.in_(verified), 1), else_=0)
    query = (listed().add_columns(is_verified)
             .where(Actor.local.is_(True), Actor.id != viewer_id, Actor.id.in_(verified.union(declared)),
                    Actor.id.not_in(_excluded(viewer_id)))
             .order_by(is_verified.desc(), followers.desc(), Actor.id).limit(limit))
    return [Suggestion(actor, bool(flag)) for actor, flag in (await session.execute(query)).all()]


async def dismiss(session: AsyncSession, viewer_id: int, target_id: int) -> None:
    if await session.get(Actor, target_id) is None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    await session.merge(SuggestionDismissal(actor_id=viewer_id, target_id=target_id))
