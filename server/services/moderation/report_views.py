"""Reports as staff see them, the same for /admin/reports (web UI) and /api/v1/admin/reports (client API): the
actors a report names, the posts it names that are still stored, and what is known of its accounts (their
sanctions; for members, their account rows)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Account, AccountModeration, Actor, Post, Report
from server.services.moderation.hidden_from_viewers import sanctions


@dataclass(frozen=True)
class ReportViews:
    actors: dict[int, Actor]  # reporters, targets, assignees and who acted, those still stored
    members: dict[int, Account]  # of those, the local members
    sanctions: dict[int, AccountModeration]
    posts: dict[int, list[Post]]  # report id -> the posts it names still stored, oldest first


def named_ids(reports: Iterable[Report]) -> set[int]:
    """The actors reports name: who reported, whom, the moderator assigned and the one who acted."""
    return {i for r in reports for i in (r.reporter_id, r.target_id, r.assigned_id, r.action_by_id) if i}


async def actors_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Actor]:
    ids = {i for i in ids if i}
    return {a.id: a for a in (await session.execute(select(Actor).where(Actor.id.in_(ids)))).scalars()} if ids else {}


async def reported_posts(session: AsyncSession, report: Report) -> list[Post]:
    if not report.post_ids:
        return []
    return list((await session.execute(select(Post).where(Post.id.in_(report.post_ids)).order_by(Post.id))).scalars())


async def _members(session: AsyncSession, ids: set[int]) -> dict[int, Account]:
    if not ids:
        return {}
    return {a.actor_id: a for a in (await session.execute(select(Account).where(Account.actor_id.in_(ids)))).scalars()}


async def report_views(session: AsyncSession, reports: list[Report]) -> ReportViews:
    ids = named_ids(reports)
    return ReportViews(actors=await actors_by_id(session, ids), members=await _members(session, ids),
                       sanctions=await sanctions(session, ids),
                       posts={r.id: await reported_posts(session, r) for r in reports})
