"""INSERT ... ON CONFLICT DO NOTHING on either engine: how idempotent queues and relations are written."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, model: type, rows: list[dict]) -> int:
    """Insert rows, silently skipping those that clash with a unique key; return how many were inserted."""
    if not rows:
        return 0
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    result = await session.execute(dialect.insert(model).values(rows).on_conflict_do_nothing())
    return result.rowcount or 0
