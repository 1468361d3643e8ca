"""Cases by their posts, and a case as others read it (the properties its Page carries)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.convert.case_to_as import case_to_as
from server.db.models import Case, Post


async def cases_of(session: AsyncSession, post_ids: list[int]) -> dict[int, Case]:
    """The cases among these posts, by post id (one query; none for an empty list)."""
    if not post_ids:
        return {}
    return {c.post_id: c for c in (await session.execute(select(Case).where(Case.post_id.in_(post_ids)))).scalars()}


async def accepted_uri(session: AsyncSession, case: Case) -> str | None:
    if case.accepted_answer_id is not None:
        answer = await session.get(Post, case.accepted_answer_id)
        if answer is not None:
            return answer.uri
    return case.accepted_answer_uri


async def case_extension(session: AsyncSession, post: Post) -> dict | None:
    """What a local case sets over its post's Page (case_to_as); None for any other post, at no cost for a Note."""
    if post.object_type != "Page" or not post.local:
        return None
    case = await session.get(Case, post.id)
    if case is None:
        return None
    return case_to_as(case, post.content_html, await accepted_uri(session, case))
