"""What the inbox remembers once queue rows are gone: activities seen, and remote objects deleted.

Retention, with the least data that keeps each activity processed at most once: a processed
InboxItem keeps its row (body included: a duplicate delivery is refused by the row's unique
activity id) for DONE_KEEP after its last try, a failed one for FAILED_KEEP (admins read why it
failed). Then the row goes and only a 16-byte digest of the activity id stays (not for a refused
copy its actor did not sign: see intake.py), in `seen_activities`, for SEEN_KEEP: senders retry failed
deliveries for days, and the runner skips
an activity whose digest it finds there. About 50 bytes per activity for a month instead of the
2 KB body (or a ~300-byte row without its body, with its indexes) for good; and nothing on the
hot path of the inbox POST, which still only inserts into inbox_items.

`deleted_objects` (digests too) remembers remote objects deleted by their origin, known to us or
not, for DELETED_KEEP, so that a Create arriving after its Delete is refused.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import Connection, Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import DeletedObject, InboxItem, SeenActivity
from server.db.types import utcnow
from server.db.upsert import insert_ignore

DONE_KEEP = timedelta(days=1)
FAILED_KEEP = timedelta(days=7)
SEEN_KEEP = timedelta(days=30)
DELETED_KEEP = timedelta(days=30)
CHUNK = 2000  # rows per round: short transactions, so that inbox POSTs never wait long for SQLite's lock


def digest(uri: str) -> bytes:
    """16 bytes standing for an id (BLAKE2b: collisions are not a practical concern at this size)."""
    return hashlib.blake2b(uri.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def seen_before(connection: Connection, uris: list[str]) -> set[str]:
    """Those of `uris` that were processed before and pruned from the queue since, on a sync Connection
    (server.db.burst)."""
    return _found(connection, _SEEN, uris)


def _among(column):
    return select(column).where(column.in_(bindparam("digests", expanding=True)))


_SEEN, _DELETED = _among(SeenActivity.digest), _among(DeletedObject.digest)  # built once: every batch asks


def _found(connection: Connection, among: Select, uris: list[str]) -> set[str]:
    by_digest = {digest(uri): uri for uri in uris}
    if not by_digest:
        return set()
    return {by_digest[d] for d in connection.execute(among, {"digests": list(by_digest)}).scalars()}


async def remember_deleted(session: AsyncSession, uri: str) -> None:
    await insert_ignore(session, DeletedObject, [{"digest": digest(uri), "deleted_at": utcnow()}])


def deleted_among(connection: Connection, uris: list[str]) -> set[str]:
    """Those of `uris` whose origin deleted them (one query for a whole batch of Creates), on a sync Connection
    (server.db.burst)."""
    return _found(connection, _DELETED, uris)


async def was_deleted(session: AsyncSession, uri: str) -> bool:
    return await session.get(DeletedObject, digest(uri)) is not None


def _stays_seen(state: str, signer: str, actor: str | None) -> bool:
    """A refused copy its actor did not sign is forgotten: the actor's own copy may come yet."""
    return state == "done" or signer == actor


async def _prune_items(session: AsyncSession, now) -> int:
    # Indexed by (state, next_try_at): a processed row's next_try_at is its last try.
    old = (select(InboxItem.id, InboxItem.activity_uri, InboxItem.state, InboxItem.signer,
                  InboxItem.activity["actor"].as_string())
           .where(((InboxItem.state == "done") & (InboxItem.next_try_at < now - DONE_KEEP))
                  | ((InboxItem.state == "failed") & (InboxItem.next_try_at < now - FAILED_KEEP)))
           .limit(CHUNK))
    rows = (await session.execute(old)).all()
    if not rows:
        return 0
    seen = [{"digest": digest(row.activity_uri), "seen_at": now} for row in rows if _stays_seen(*row[2:])]
    await insert_ignore(session, SeenActivity, seen)
    await session.execute(delete(InboxItem).where(InboxItem.id.in_([row.id for row in rows])))
    return len(rows)


async def _expire(session: AsyncSession, model: type, column, cutoff) -> int:
    expired = select(model.digest).where(column < cutoff).limit(CHUNK)
    result = await session.execute(delete(model).where(model.digest.in_(expired.scalar_subquery())))
    return result.rowcount or 0


async def prune(session: AsyncSession) -> int:
    """One round: processed queue rows past their time become digests, expired digests go.
    Returns how many rows were removed (the caller commits)."""
    now = utcnow()
    return (await _prune_items(session, now)
            + await _expire(session, SeenActivity, SeenActivity.seen_at, now - SEEN_KEEP)
            + await _expire(session, DeletedObject, DeletedObject.deleted_at, now - DELETED_KEEP))
