"""Importing Mastodon's CSV exports (what a member who moves in brings along): follows, lists, blocks, mutes
and bookmarks, in Mastodon's two modes (`merge` adds; `overwrite` also undoes what the file does not list).
The upload is parsed and checked here and kept as a durable job (ImportJob); the worker
(server.jobs.imports) works through it one row at a time, keeping its place, and the page shows how far it got."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Actor, ImportJob
from server.db.models.imports import IMPORT_KINDS, IMPORT_MODES
from server.i18n import N_

MAX_ROWS = 20_000  # as Mastodon's ROWS_PROCESSING_LIMIT
SHOWN_JOBS = 10
# The columns of each export, as Mastodon writes them (its older exports, and some files, have no header row).
COLUMNS = {
    "following": ("Account address", "Show boosts", "Notify on new posts", "Languages"),
    "lists": ("List name", "Account address"),
    "blocks": ("Account address",),
    "mutes": ("Account address", "Hide notifications"),
    "bookmarks": ("#uri",),
}
FIRST_HEADERS = {columns[0] for columns in COLUMNS.values()}


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(N_("the file is not UTF-8 text: upload the CSV file Mastodon exported")) from None


def _records(kind: str, text: str) -> list[list[str]]:
    """The file's rows without its header, each cut to the kind's columns; a header of another kind refuses."""
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise ServiceError(N_("the file is not CSV: %(problem)s"), values={"problem": str(exc)}) from None
    columns = COLUMNS[kind]
    if rows and rows[0][0] in FIRST_HEADERS:
        header = rows.pop(0)
        if tuple(header[:len(columns)]) != columns[:len(header)]:
            raise ServiceError(N_("this file looks like another export (%(columns)s), not %(kind)s"),
                               values={"columns": ", ".join(header), "kind": kind})
    return [(row + [""] * len(columns))[:len(columns)] for row in rows]


def parse_export(kind: str, data: bytes) -> list[list[str]]:
    """The rows of a Mastodon CSV export of `kind` (one of IMPORT_KINDS), checked; refused if empty or too long."""
    if kind not in IMPORT_KINDS:
        raise ServiceError(N_("what to import is one of %(choices)s"), values={"choices": ", ".join(IMPORT_KINDS)})
    rows = _records(kind, _decoded(data))
    if not rows:
        raise ServiceError(N_("the file lists nothing to import"))
    if len(rows) > MAX_ROWS:
        raise ServiceError(N_("the file has %(rows)s rows: at most %(limit)s are imported at once"),
                           values={"rows": len(rows), "limit": MAX_ROWS})
    if any(not row[0] or (kind == "lists" and not row[1]) for row in rows):
        raise ServiceError(N_("a row of the file is missing its account, list name or address"))
    return rows


async def start_import(session: AsyncSession, me: Actor, kind: str, mode: str, data: bytes) -> ImportJob:
    """Queue the import of the file `data` for the worker; the caller commits."""
    if mode not in IMPORT_MODES:
        raise ServiceError(N_("the mode is merge or overwrite"))
    if me.moved_to_uri:
        raise ServiceError(N_("this account has moved: import into the new one"), Kind.CONFLICT)
    rows = parse_export(kind, data)
    job = ImportJob(actor_id=me.id, kind=kind, mode=mode, rows=rows, total=len(rows), position=0, imported=0,
                    failed=0, cleared=False, state="queued")
    session.add(job)
    await session.flush()
    return job


async def recent_imports(session: AsyncSession, me: Actor) -> list[ImportJob]:
    """The member's latest imports, newest first, for the page showing their progress."""
    query = select(ImportJob).where(ImportJob.actor_id == me.id).order_by(ImportJob.id.desc()).limit(SHOWN_JOBS)
    return list((await session.execute(query)).scalars())
