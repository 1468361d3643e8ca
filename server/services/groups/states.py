"""What group moderation leaves on threads and actors, read and written one way for local and remote groups: a
thread's state (locked, pinned) and bans. Plain storage: who may change them is decided by the callers
(`moderating` for groups hosted here, the inbox for remote groups' activities)."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, GroupBan, GroupThreadState
from server.db.types import utcnow


async def state_of(session: AsyncSession, post_id: int | None,
                   group_actor_id: int | None = None) -> GroupThreadState | None:
    """The state of a thread (of group `group_actor_id` only, when given: another group's is none of its)."""
    state = await session.get(GroupThreadState, post_id) if post_id is not None else None
    if state is not None and group_actor_id is not None and state.group_actor_id != group_actor_id:
        return None
    return state


async def _state(session: AsyncSession, group_actor_id: int, post_id: int) -> GroupThreadState | None:
    """The group's state of the thread, new if none; None when another group's moderators hold it (theirs)."""
    state = await session.get(GroupThreadState, post_id)
    if state is None:
        state = GroupThreadState(post_id=post_id, group_actor_id=group_actor_id, locked=False)
        session.add(state)
    elif state.group_actor_id != group_actor_id:
        return None
    state.updated_at = utcnow()
    return state


async def set_locked(session: AsyncSession, group_actor_id: int, post_id: int, locked: bool) -> bool | None:
    """Lock or unlock; whether that changed anything (None: the thread's state is another group's, untouched)."""
    state = await _state(session, group_actor_id, post_id)
    if state is None:
        return None
    changed, state.locked = state.locked != locked, locked
    await session.flush()
    return changed


async def set_pinned(session: AsyncSession, group_actor_id: int, post_id: int, pinned: bool) -> bool | None:
    """Pin (into the group's featured collection) or unpin; whether that changed anything (None: as set_locked)."""
    state = await _state(session, group_actor_id, post_id)
    if state is None:
        return None
    changed = (state.pinned_at is not None) != pinned
    if changed:
        state.pinned_at = utcnow() if pinned else None
    await session.flush()
    return changed


async def is_locked(session: AsyncSession, post_id: int | None, group_actor_id: int | None = None) -> bool:
    state = await state_of(session, post_id, group_actor_id)
    return state is not None and state.locked


async def states(session: AsyncSession, post_ids: list[int]) -> dict[int, GroupThreadState]:
    if not post_ids:
        return {}
    query = select(GroupThreadState).where(GroupThreadState.post_id.in_(post_ids))
    return {s.post_id: s for s in (await session.execute(query)).scalars()}


async def pinned(session: AsyncSession, group_actor_id: int) -> list[int]:
    """The ids of the group's pinned posts, most recently pinned first."""
    query = (select(GroupThreadState.post_id).where(GroupThreadState.group_actor_id == group_actor_id,
                                                    GroupThreadState.pinned_at.is_not(None))
             .order_by(GroupThreadState.pinned_at.desc()))
    return list((await session.execute(query)).scalars())


async def ban_of(session: AsyncSession, group_actor_id: int, actor_id: int) -> GroupBan | None:
    return await session.get(GroupBan, (group_actor_id, actor_id))


async def is_banned(session: AsyncSession, group_actor_id: int, actor_id: int) -> bool:
    return await ban_of(session, group_actor_id, actor_id) is not None


async def add_ban(session: AsyncSession, group_actor_id: int, actor_id: int, *, reason: str = "",
                  block_uri: str | None = None) -> bool:
    """Record the ban; whether it is new."""
    if await ban_of(session, group_actor_id, actor_id) is not None:
        return False
    session.add(GroupBan(group_actor_id=group_actor_id, actor_id=actor_id, reason=reason, block_uri=block_uri))
    await session.flush()
    return True


async def lift_ban(session: AsyncSession, group_actor_id: int, actor_id: int) -> bool:
    result = await session.execute(delete(GroupBan).where(GroupBan.group_actor_id == group_actor_id,
                                                          GroupBan.actor_id == actor_id))
    return bool(result.rowcount)


async def bans(session: AsyncSession, group_actor_id: int) -> list[tuple[Actor, GroupBan]]:
    """Who is banned from the group, most recent first."""
    query = (select(Actor, GroupBan).join(GroupBan, GroupBan.actor_id == Actor.id)
             .where(GroupBan.group_actor_id == group_actor_id).order_by(GroupBan.created_at.desc()))
    return list((await session.execute(query)).all())
