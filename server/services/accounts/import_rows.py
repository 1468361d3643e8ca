"""What the worker does with an import job (server.services.accounts.imports): claim it under a lease, undo
first what an `overwrite` file does not list, then take its rows one at a time, committing its place after
each, so that a worker stopped at any moment leaves the job to be taken up where it was."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Awaitable, Callable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from server.db.models import Actor, Block, Bookmark, Follow, ImportJob, List, ListAccount, Mute, Post
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.accounts.migration import find_account
from server.services.posts.bookmarks_and_pins import bookmark
from server.services.posts.remote_posts import resolve_post
from server.services.reading import lists
from server.services.social import blocks_and_mutes
from server.services.social import interactions as social
from server.services.social.visibility_to_viewers import may_see

log = logging.getLogger("curbside.imports")
LEASE = timedelta(seconds=120)
Importer = Callable[[Runtime, AsyncSession, Actor, list[str]], Awaitable[None]]


def _flag(value: str, default: bool) -> bool:
    return value.strip().lower() in ("true", "1", "yes") if value.strip() else default


async def _follow(runtime: Runtime, session: AsyncSession, me: Actor, row: list[str]) -> None:
    target = await find_account(runtime, session, row[0])
    await social.follow(runtime, session, me, target, show_boosts=_flag(row[1], True),
                        notify_posts=_flag(row[2], False))


async def _block(runtime: Runtime, session: AsyncSession, me: Actor, row: list[str]) -> None:
    await blocks_and_mutes.block(runtime, session, me, await find_account(runtime, session, row[0]))


async def _mute(runtime: Runtime, session: AsyncSession, me: Actor, row: list[str]) -> None:
    target = await find_account(runtime, session, row[0])
    await blocks_and_mutes.mute(session, me, target, notifications=_flag(row[1], True))


async def _bookmark(runtime: Runtime, session: AsyncSession, me: Actor, row: list[str]) -> None:
    post = await resolve_post(runtime, session, row[0])
    if post is None or not await may_see(session, post, me):
        raise ServiceError(f"no post at {row[0]} could be found")
    await bookmark(session, me, post)


async def _list_member(runtime: Runtime, session: AsyncSession, me: Actor, row: list[str]) -> None:
    """Onto the list of that name (made if need be), following the account first as Mastodon does."""
    target = await find_account(runtime, session, row[1])
    named = (await session.execute(select(List).where(List.owner_id == me.id, List.title == row[0]))).scalars()
    chosen = named.first() or await lists.create_list(session, me.id, row[0])
    if await social.find_follow(session, me.id, target.id) is None:
        await social.follow(runtime, session, me, target)
    on_it = await session.scalar(select(ListAccount.id).where(ListAccount.list_id == chosen.id,
                                                              ListAccount.actor_id == target.id))
    if on_it is None:
        await lists.add_accounts(session, chosen, [target.id])


IMPORTERS: dict[str, Importer] = {"following": _follow, "blocks": _block, "mutes": _mute, "bookmarks": _bookmark,
                                  "lists": _list_member}


def _acct(raw: str, local_domain: str) -> str:
    name = raw.strip().lstrip("@").lower()
    return name if "@" in name else f"{name}@{local_domain}"


async def _unfollow(runtime: Runtime, session: AsyncSession, me: Actor, other: Actor) -> None:
    await social.unfollow(runtime, session, me, other)


async def _unmute(runtime: Runtime, session: AsyncSession, me: Actor, other: Actor) -> None:
    await blocks_and_mutes.unmute(session, me, other)


UNDOERS = {"following": _unfollow, "blocks": blocks_and_mutes.unblock, "mutes": _unmute}


async def _others(session: AsyncSession, me: Actor, kind: str) -> list[Actor]:
    """The accounts `me` follows (or has asked to), blocks or mutes."""
    if kind == "following":
        query = select(Actor).join(Follow, Follow.followed_id == Actor.id).where(Follow.follower_id == me.id)
    else:
        model = Block if kind == "blocks" else Mute
        query = select(Actor).join(model, model.target_id == Actor.id).where(model.actor_id == me.id)
    return list((await session.execute(query)).scalars())


async def clear_unlisted(runtime: Runtime, session: AsyncSession, me: Actor, job: ImportJob) -> None:
    """An overwrite's first step, as Mastodon's: what the file does not list goes (lists it does not name are
    deleted, those it names emptied, to be filled by the rows)."""
    if job.kind == "lists":
        titles = {row[0] for row in job.rows}
        await session.execute(delete(List).where(List.owner_id == me.id, List.title.not_in(titles)))
        kept = select(List.id).where(List.owner_id == me.id)
        await session.execute(delete(ListAccount).where(ListAccount.list_id.in_(kept)))
    elif job.kind == "bookmarks":
        urls = [row[0] for row in job.rows]
        listed = select(Post.id).where(or_(Post.uri.in_(urls), Post.url.in_(urls)))
        await session.execute(delete(Bookmark).where(Bookmark.actor_id == me.id, Bookmark.post_id.not_in(listed)))
    else:
        wanted = {_acct(row[0], runtime.settings.domain) for row in job.rows}
        for other in await _others(session, me, job.kind):
            if other.acct.lower() not in wanted:
                await UNDOERS[job.kind](runtime, session, me, other)


async def claim(runtime: Runtime) -> int | None:
    """The oldest queued import no worker holds, now held by this one for LEASE; None if there is none."""
    now = utcnow()
    free = (ImportJob.state == "queued") & or_(ImportJob.locked_until.is_(None), ImportJob.locked_until < now)
    async with runtime.sessions() as session:
        job_id = await session.scalar(select(ImportJob.id).where(free).order_by(ImportJob.id).limit(1))
        if job_id is None:
            return None
        taken = await session.execute(update(ImportJob).where(ImportJob.id == job_id, free)
                                      .values(locked_until=now + LEASE))
        await session.commit()
        return job_id if taken.rowcount == 1 else None


async def _one_row(runtime: Runtime, session: AsyncSession, me: Actor, job: ImportJob) -> None:
    row = job.rows[job.position]
    try:
        await IMPORTERS[job.kind](runtime, session, me, row)
        job.imported += 1
    except ServiceError as exc:
        log.info("import %d row %d (%s) not imported: %s", job.id, job.position, row[0], exc.message)
        await session.rollback()
        await session.refresh(job)
        await session.refresh(me)
        job.failed += 1
    job.position += 1
    job.locked_until = utcnow() + LEASE
    await session.commit()


async def work_on(runtime: Runtime, job_id: int, rows: int) -> int:
    """Take up to `rows` rows of a claimed job (first the overwrite's removals); how many were taken."""
    async with runtime.sessions() as session:
        job = await session.get(ImportJob, job_id)
        me = await session.get(Actor, job.actor_id) if job is not None else None
        if job is None or me is None:
            return 0
        if job.mode == "overwrite" and not job.cleared:
            await clear_unlisted(runtime, session, me, job)
            job.cleared = True
            await session.commit()
        done = 0
        while job.position < job.total and done < rows:
            await _one_row(runtime, session, me, job)
            done += 1
        if job.position >= job.total:
            job.state, job.finished_at, job.locked_until = "finished", utcnow(), None
        else:
            job.locked_until = None  # let the next round (or another worker) take it up
        await session.commit()
        return max(done, 1)
