"""Moderation of what arrives from other servers, for the inbox handlers: media from domains that
reject it, follows from limited domains or accounts, activities of suspended accounts."""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import burst
from server.db.models import AccountModeration, Actor, Post
from server.runtime import Runtime


async def _sanction(session: AsyncSession, actor: Actor) -> AccountModeration | None:
    return await session.get(AccountModeration, actor.id)


async def screen_post(runtime: Runtime, session: AsyncSession, post: Post, author: Actor) -> None:
    """Drop the attachments of a post from a reject-media domain; mark a sensitized author's media sensitive."""
    attachments, sensitive = await screen_media(runtime, session, author, post.attachments, post.sensitive)
    if attachments is not post.attachments:
        post.attachments = attachments
    if sensitive and not post.sensitive:
        post.sensitive = True


async def screen_media(runtime: Runtime, session: AsyncSession, author: Actor, attachments: list,
                       sensitive: bool) -> tuple[list, bool]:
    """A post's (attachments, sensitive) as screen_post leaves them, for a post not built as a Post yet."""
    if not attachments:
        return attachments, sensitive
    if not (await runtime.policies.get()).effective(author.domain).accept_media:
        return [], sensitive
    sanction = await _sanction(session, author)
    if sanction is not None and sanction.sensitized_at is not None:
        return attachments, True
    return attachments, sensitive


async def follow_needs_approval(runtime: Runtime, session: AsyncSession, follower: Actor) -> bool:
    """Follows from limited domains and limited accounts wait for the member's approval."""
    if (await runtime.policies.get()).effective(follower.domain).follow_needs_approval:
        return True
    sanction = await _sanction(session, follower)
    return sanction is not None and sanction.limited_at is not None


async def suspended_among(session: AsyncSession, actor_uris: list[str]) -> set[str]:
    """Those of the actors that are suspended here (their activities are refused), in one query."""
    return await burst.run(session, lambda connection: suspended_among_on(connection, actor_uris))


_SUSPENDED = (select(Actor.uri).join(AccountModeration, AccountModeration.actor_id == Actor.id)
              .where(Actor.uri.in_(bindparam("uris", expanding=True)), AccountModeration.suspended_at.is_not(None)))


def suspended_among_on(connection: Connection, actor_uris: list[str]) -> set[str]:
    """suspended_among on a sync Connection (server.db.burst)."""
    return set(connection.execute(_SUSPENDED, {"uris": list(set(actor_uris))}).scalars())
