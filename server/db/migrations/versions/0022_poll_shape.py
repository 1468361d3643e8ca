"""polls in one shape: rows written before it took their final form are rewritten to it

Post.poll and PostEdit.poll were once stored as {"options": [{"name", "votes"}], "end_time", ...} and then
{"options": [{"title", "votes"}], ...}; their readers kept falling back to those keys. Rewriting the old rows
once lets server.db.poll_json read the one shape alone. The normalising below is frozen here on purpose:
it is what the readers' fallbacks did on the day this ran.

Revision ID: 0022_poll_shape
Revises: 0020_local_only_threads
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from server.db.types import Json

revision = '0022_poll_shape'
down_revision = '0021_media_phi'
branch_labels = None
depends_on = None


def _count(value) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _end(poll: dict) -> str | None:
    raw = poll.get("expires_at") or poll.get("end_time")
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _option(option: dict) -> dict:
    votes = option.get("votes_count", option.get("votes"))
    return {"title": str(option.get("title") or option.get("name") or ""), "votes_count": _count(votes) or 0}


def one_shape(poll: dict) -> dict:
    return {"options": [_option(o) for o in poll.get("options") or [] if isinstance(o, dict)],
            "multiple": bool(poll.get("multiple")), "expires_at": _end(poll), "closed": bool(poll.get("closed")),
            "voters_count": _count(poll.get("voters_count"))}


def _rewrite(name: str) -> None:
    table = sa.table(name, sa.column("id", sa.BigInteger), sa.column("poll", Json))
    conn = op.get_bind()
    rows = conn.execute(sa.select(table.c.id, table.c.poll).where(table.c.poll.is_not(None))).all()
    for row_id, poll in rows:
        shaped = one_shape(poll) if isinstance(poll, dict) else None
        if shaped != poll:
            conn.execute(table.update().where(table.c.id == row_id).values(poll=shaped))


def upgrade() -> None:
    _rewrite("posts")
    _rewrite("post_edits")


def downgrade() -> None:
    pass  # the one shape is what every reader before it understood too
