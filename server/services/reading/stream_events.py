"""Record what the streaming API should tell clients, in the same transaction as the change itself.

A rolled-back change streams nothing; a committed one is read by every web process (server.streaming.hub).
On PostgreSQL the transaction also NOTIFYs the new row's id, delivered by PostgreSQL at commit; on SQLite
web processes poll the table, and the committing process wakes its own hub at once (an after-commit effect,
server.db.effects: `stream` wakes the hub, `access_ended` ends access, and edited posts are forgotten).

`access_ended` is the one event no client sees: a right to read ended (a token revoked; an account
disabled, suspended or deleted). Every web process closes the streams it covers and forgets the tokens
it cached; the committing process does so at commit, before it answers.
"""
from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import burst, effects
from server.db.models import HomeTimelineEntry, Post, PostTag, StreamEvent
from server.db.types import utcnow

CHANNEL = "curbside_stream"
STREAM = "stream"  # the after-commit effect waking this process's hub: events were written
ACCESS_ENDED = "access_ended"
KEYS_CHANGED = "keys_changed"  # no client sees it either: every process forgets these cached remote keys
_NOTIFY = text("SELECT pg_notify(:channel, id::text) FROM unnest(CAST(:ids AS bigint[])) AS id")
_INSERT = insert(StreamEvent).returning(StreamEvent.id)


# post_created's events for many posts, in the order given, their data built by the database: one statement and
# one value to bind (the ids, as an array) whatever their number.
_INSERT_UPDATES = {dialect: text(
    "INSERT INTO stream_events (kind, data, created_at) SELECT 'update', " + select_from + " RETURNING id"
).bindparams(bindparam("now", type_=StreamEvent.created_at.type)) for dialect, select_from in {
    "sqlite": "json_object('post_id', value), :now FROM json_each(:ids) ORDER BY key",
    "postgresql": "jsonb_build_object('post_id', id), :now FROM unnest(CAST(:ids AS bigint[])) WITH ORDINALITY"
                  " AS given(id, n) ORDER BY n",
}.items()}


async def emit(session: AsyncSession, kind: str, data: dict) -> None:
    await emit_many(session, kind, [data])


async def emit_many(session: AsyncSession, kind: str, datas: list[dict]) -> None:
    """Record events of one kind in one statement (a batch of new posts is one round trip, not one each)."""
    if datas:
        await burst.run(session, lambda connection: write_many(connection, kind, datas))
        effects.declare(session, STREAM)


def write_many(connection: Connection, kind: str, datas: list[dict]) -> None:
    """emit_many's writes, on a sync Connection (server.db.burst); its caller declares the STREAM effect."""
    _notify(connection, list(connection.execute(_INSERT, [{"kind": kind, "data": data} for data in datas]).scalars()))


def write_updates(connection: Connection, post_ids: list[int]) -> None:
    """post_created's events for many new posts, as write_many would write them, in one statement."""
    dialect = connection.dialect.name
    ids = json.dumps(post_ids) if dialect == "sqlite" else post_ids
    _notify(connection, list(connection.execute(_INSERT_UPDATES[dialect], {"ids": ids, "now": utcnow()}).scalars()))


def _notify(connection: Connection, ids: list[int]) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(_NOTIFY, {"channel": CHANNEL, "ids": ids})


async def post_created(session: AsyncSession, post: Post) -> None:
    """A new post (or boost) is in home timelines and perhaps public ones."""
    await emit(session, "update", {"post_id": post.id})


async def post_edited(session: AsyncSession, post: Post) -> None:
    await emit(session, "status.update", {"post_id": post.id})
    _forget_copies(session, post)


async def post_deleted(session: AsyncSession, post: Post) -> None:
    """Call before the row goes: who had it in their home timeline and where it was public is kept, so
    that the delete reaches those who saw the post and nobody else."""
    owners = list((await session.execute(select(HomeTimelineEntry.owner_id)
                                         .where(HomeTimelineEntry.post_id == post.id))).scalars())
    tags = list((await session.execute(select(PostTag.tag).where(PostTag.post_id == post.id))).scalars())
    await emit(session, "delete", {"post_id": post.id, "owners": owners, "visibility": post.visibility,
                                   "local": post.local, "boost": post.boost_of_id is not None,
                                   "media": bool(post.attachments), "tags": tags})
    _forget_copies(session, post)


def _forget_copies(session: AsyncSession, post: Post) -> None:
    """This process drops its cached copies at commit; the others when their hub reads the event."""
    effects.forget(session, "post_documents", post.id)
    effects.forget(session, "post_pages", post.id)


async def access_ended(session: AsyncSession, *, token_ids: Iterable[int] = (),
                       actor_ids: Iterable[int] = ()) -> None:
    """Streams opened with these tokens, or by these members (actor ids), close on every process."""
    data = {"token_ids": sorted(set(token_ids)), "actor_ids": sorted(set(actor_ids))}
    if data["token_ids"] or data["actor_ids"]:
        await emit(session, ACCESS_ENDED, data)
        effects.declare(session, ACCESS_ENDED, (tuple(data["token_ids"]), tuple(data["actor_ids"])))


async def keys_changed(session: AsyncSession, key_ids: Iterable[str | None]) -> None:
    """These remote key ids now verify with another key, or nobody's: every process drops them from its key
    cache (server.ap.inbox) as its hub reads the event, this one right after the commit."""
    ids = sorted({key_id for key_id in key_ids if key_id})
    if ids:
        await emit(session, KEYS_CHANGED, {"key_ids": ids})


async def notified(session: AsyncSession, notification_ids: Iterable[int]) -> None:
    ids = list(notification_ids)
    if ids:
        await emit(session, "notification", {"ids": ids})


POST_CHANGES = ("status.update", "delete")  # the kinds of event that make cached copies of a post stale


def changed_post_ids(kind: str, data: dict) -> list[int]:
    """The posts whose stored copies an event makes stale (cached documents of public posts)."""
    return [data["post_id"]] if kind in POST_CHANGES and "post_id" in data else []
