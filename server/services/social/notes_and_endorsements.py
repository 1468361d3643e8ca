"""What a member keeps about other accounts: private notes (Relationship `note`, seen by the member alone) and
endorsements (featured profiles: Mastodon's account pins, `/api/v1/endorsements`, Relationship `endorsed`).

An endorsement is shown while the member follows the account, as Mastodon keeps it: one of an account no
longer followed (unfollowed, blocked, removed by either side) is not listed."""
from __future__ import annotations

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.ids import snowflake
from server.db.models import AccountNote, Actor, Endorsement, Follow
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.services.reading.timelines import Page

MAX_NOTE = 2000  # characters, as Mastodon


async def set_note(session: AsyncSession, me: Actor, target: Actor, comment: str) -> None:
    """Keep `comment` as the member's note on `target`; an empty comment removes it."""
    if len(comment) > MAX_NOTE:
        raise ServiceError(f"a note is at most {MAX_NOTE} characters long")
    await session.execute(delete(AccountNote).where(AccountNote.actor_id == me.id, AccountNote.target_id == target.id))
    if comment.strip():
        session.add(AccountNote(actor_id=me.id, target_id=target.id, comment=comment, updated_at=utcnow()))
    await session.flush()


async def note_on(session: AsyncSession, me: Actor, target: Actor) -> str:
    return await session.scalar(select(AccountNote.comment).where(AccountNote.actor_id == me.id,
                                                                  AccountNote.target_id == target.id)) or ""


def _followed():
    return and_(Follow.follower_id == Endorsement.actor_id, Follow.followed_id == Endorsement.target_id,
                Follow.state == "accepted")


async def endorse(session: AsyncSession, me: Actor, target: Actor) -> None:
    """Feature `target` on the member's profile: only an account they follow, as on Mastodon."""
    followed = await session.scalar(select(Follow.id).where(Follow.follower_id == me.id, Follow.followed_id ==
                                                            target.id, Follow.state == "accepted"))
    if followed is None:
        raise ServiceError("you can only feature accounts you follow")
    await insert_ignore(session, Endorsement, [{"id": snowflake(), "actor_id": me.id, "target_id": target.id,
                                                "created_at": utcnow()}])


async def unendorse(session: AsyncSession, me: Actor, target: Actor) -> None:
    await session.execute(delete(Endorsement).where(Endorsement.actor_id == me.id, Endorsement.target_id == target.id))


async def endorsed(session: AsyncSession, me: Actor, target: Actor) -> bool:
    return await session.scalar(select(Endorsement.id).join(Follow, _followed()).where(
        Endorsement.actor_id == me.id, Endorsement.target_id == target.id)) is not None


async def endorsements(session: AsyncSession, me: Actor, page: Page) -> list[tuple[int, Actor]]:
    """A page of (endorsement id, account) the member features, newest first, paged by the endorsement's id."""
    query = (select(Endorsement.id, Actor).join(Actor, Actor.id == Endorsement.target_id)
             .join(Follow, _followed()).where(Endorsement.actor_id == me.id))
    return page.arrange([tuple(row) for row in (await session.execute(page.apply(query, Endorsement.id))).all()])
