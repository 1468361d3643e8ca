"""Full-text search of posts: the query language, and the one place that knows each engine's index.

- SQLite: an FTS5 table `post_search` (rowid = post id) holding each post's plain text. Triggers on
  `posts` (migration 0010) take an edited or deleted post's old text out at once and queue new and
  edited posts in `post_search_queue`; `catch_up` strips their HTML in Python and indexes them. A
  trigger cannot strip HTML without an application-defined SQL function, which a connection opened
  elsewhere (the sqlite3 shell, a bench script) would lack: queuing keeps every connection working.
- PostgreSQL: a generated column `posts.search_document` (tsvector, tags stripped by a regular
  expression) with a GIN index: always current, nothing to catch up.

Both stem English words (FTS5 `porter`, PostgreSQL `english`) and match every term of the query.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Post

MAX_TERMS = 12
CATCH_UP_BATCH = 500
# The PostgreSQL document, as migration 0010 generates it; summary (content warning) then content.
PG_CONFIG = "english"
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+")
TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')

post_search = table("post_search", column("rowid"), column("body"))
post_search_queue = table("post_search_queue", column("post_id"))
SEARCH_DOCUMENT = literal_column("posts.search_document")


@dataclass(frozen=True)
class Terms:
    """A parsed query: phrases (each a tuple of words) that must all match, and phrases that must not."""

    include: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include)


def parse_query(text: str) -> Terms:
    """Words (all must match), "quoted phrases" and -excluded words or phrases; nothing else is syntax,
    so no input can be a malformed query. Only words (\\w+) reach an engine."""
    include: list[tuple[str, ...]] = []
    exclude: list[tuple[str, ...]] = []
    for match in TERM.finditer(text or ""):
        negated = bool(match.group(1) or match.group(3))
        words = tuple(w.lower() for w in WORD.findall(match.group(2) if match.group(2) is not None else match.group(4)))
        if words and len(include) + len(exclude) < MAX_TERMS:
            (exclude if negated else include).append(words)
    return Terms(tuple(dict.fromkeys(include)), tuple(dict.fromkeys(exclude)))


def plain_text(summary: str | None, content_html: str | None) -> str:
    """What the index holds of a post: its content warning and its text, without tags or entities."""
    return html.unescape(TAG.sub(" ", f"{summary or ''} {content_html or ''}"))


def query_text(dialect: str, terms: Terms) -> str:
    """The engine's query for `terms`, bound as the `fts` parameter of `restrict`'s clause. Words are
    \\w+ only: no quote or operator of either engine's syntax can come from the user."""
    if dialect == "postgresql":  # to_tsquery: & and, ! not, <-> followed by
        phrases = ["(" + " <-> ".join(words) + ")" for words in terms.include + terms.exclude]
        return " & ".join(phrases[:len(terms.include)] + ["!" + p for p in phrases[len(terms.include):]])
    phrases = ['"' + " ".join(words) + '"' for words in terms.include + terms.exclude]  # FTS5: AND is implied
    return " ".join(phrases[:len(terms.include)]) + "".join(" NOT " + p for p in phrases[len(terms.include):])


def restrict(dialect: str, query: Select) -> tuple[Select, ColumnElement]:
    """`query` (a select of posts) narrowed to posts matching the `fts` parameter (query_text), and the
    column that orders them by id: on SQLite the FTS5 rowid, so that FTS5 walks its matches newest first
    and a page stops at its first rows instead of sorting every match."""
    fts = bindparam("fts")
    if dialect == "postgresql":
        tsquery = func.to_tsquery(literal_column(f"'{PG_CONFIG}'::regconfig"), fts)
        return query.where(SEARCH_DOCUMENT.op("@@")(tsquery)), Post.id
    match = literal_column("post_search").op("MATCH")(fts)
    return query.join(post_search, post_search.c.rowid == Post.id).where(match), post_search.c.rowid


async def plan_for_these_words(session: AsyncSession) -> None:
    """PostgreSQL: plan this transaction's searches for their own words. After a few runs of a prepared
    statement PostgreSQL may settle on a generic plan, which cannot know how many posts a word matches
    and then sorts every match of a common word (0.4 s at 100,000 posts instead of 1 ms)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def catch_up(session: AsyncSession, batch: int = CATCH_UP_BATCH) -> int:
    """Index queued posts (SQLite; nothing to do on PostgreSQL); returns how many. The caller commits."""
    if session.bind.dialect.name != "sqlite":
        return 0
    if (await session.execute(select(post_search_queue.c.post_id).limit(1))).first() is None:
        return 0  # the usual case, answered without taking SQLite's write lock
    # Taking the queued ids first takes the write lock: the texts read next cannot change under us.
    ids = list((await session.execute(
        delete(post_search_queue).where(post_search_queue.c.post_id.in_(
            select(post_search_queue.c.post_id).limit(batch))).returning(post_search_queue.c.post_id))).scalars())
    rows = (await session.execute(select(Post.id, Post.summary, Post.content_html)
                                  .where(Post.id.in_(ids), Post.boost_of_id.is_(None)))).all() if ids else []
    await session.execute(delete(post_search).where(post_search.c.rowid.in_(ids)))
    if rows:
        await session.execute(insert(post_search), [{"rowid": r[0], "body": plain_text(r[1], r[2])} for r in rows])
    return len(ids)


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: the search objects of migration 0010 are not models (FTS5 tables,
    the queue, the generated column and its index) and must not be 'removed' by autogenerate."""
    if type_ == "table":
        return not (name or "").startswith("post_search")
    if type_ == "column":
        return name != "search_document"
    return name != "ix_posts_search_document"
