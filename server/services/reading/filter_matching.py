"""Applying a member's keyword filters to the posts they are shown, as Mastodon 4 does.

Every Status rendered for a member carries `filtered`: a FilterResult for each of their active filters
(not expired) whose keywords occur in the post's text (its content warning, text, poll options and media
descriptions; case-insensitive; `whole_word` keywords only between word boundaries) or which names the
post itself. `filtered` does not depend on where the post is shown; what a filter does does: in each of
its contexts (home, notifications, public, thread, account) a `hide` filter drops the post (`action_in`),
a `warn` filter leaves it for the app (or the web UI) to fold away behind the filter's title.

A viewer's filters are compiled once per request (`viewer_filters`); a viewer without any (the common
case) costs one indexed query and matches nothing. Not to be confused with
server.services.moderation.hidden_from_viewers (what moderation keeps from a viewer).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.html import ContentError, html_to_text
from server.convert.filter_to_mastodon import filter_summary
from server.db.models import FilterKeyword, FilterStatus, KeywordFilter, Post
from server.db.types import utcnow
from server.services.posts.polls import titles

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide")
_TAG = re.compile(r"<[^>]*>")


def keyword_pattern(keywords: list[tuple[str, bool]]) -> re.Pattern | None:
    """One case-insensitive pattern for `keywords` ((keyword, whole_word) pairs), a group per keyword in
    order. A whole-word keyword asks for a word boundary only at an end that is itself a word character:
    "cardio" is not found inside "echocardiography", "#icu" is found in "ward#icu" but not in "#icuroom"."""
    parts = []
    for keyword, whole_word in keywords:
        part = re.escape(keyword)
        if whole_word:
            starts, ends = re.match(r"\w", keyword[:1]), re.match(r"\w", keyword[-1:])
            part = (r"\b" if starts else "") + part + (r"\b" if ends else "")
        parts.append(f"({part})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def post_text(summary: str | None, content_html: str | None, poll: dict | None, attachments: list | None) -> str:
    """What keywords are matched against: the content warning, the text, the poll's options and the media
    descriptions, one paragraph each."""
    try:
        text = html_to_text(content_html or "")
    except ContentError:  # beyond the size html_to_text reads: still match its words
        text = html.unescape(_TAG.sub(" ", content_html or ""))
    options = titles(poll)
    described = [str(m.get("description") or "") for m in attachments or [] if isinstance(m, dict)]
    return "\n\n".join(part for part in (summary or "", text, *options, *described) if part)


@dataclass(frozen=True, slots=True)
class CompiledFilter:
    summary: dict  # the Filter as FilterResult shows it
    pattern: re.Pattern | None
    keywords: tuple[str, ...]  # group i + 1 of `pattern` is keywords[i]
    post_ids: frozenset[int]

    def result(self, post_ids: tuple[int, ...], text: str) -> dict | None:
        found = self.pattern.search(text) if self.pattern is not None and text else None
        named = [str(i) for i in post_ids if i in self.post_ids]
        if found is None and not named:
            return None
        return {"filter": self.summary, "keyword_matches": [self.keywords[found.lastindex - 1]] if found else None,
                "status_matches": named or None}


@dataclass(frozen=True, slots=True)
class ViewerFilters:
    """A viewer's active filters, compiled."""
    filters: tuple[CompiledFilter, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.filters)

    def results(self, post_ids: tuple[int, ...], text: str) -> list[dict]:
        """FilterResults for a post (a boost: its id and its original's, matched by the original's text)."""
        found = (f.result(tuple(i for i in post_ids if i), text) for f in self.filters)
        return [r for r in found if r is not None]


NO_FILTERS = ViewerFilters()


def _active(now: datetime):
    return or_(KeywordFilter.expires_at.is_(None), KeywordFilter.expires_at > now)


def active_filters_clause(viewer, now):
    """The SQL condition of a viewer's active filters (for statements that only ask whether there are any)."""
    return (KeywordFilter.actor_id == viewer) & _active(now)


async def viewer_filters(session: AsyncSession, viewer_id: int | None) -> ViewerFilters:
    """The active filters of `viewer_id` (none for anonymous callers), compiled for matching."""
    if viewer_id is None:
        return NO_FILTERS
    rows = list((await session.execute(select(KeywordFilter).where(
        active_filters_clause(viewer_id, utcnow())).order_by(KeywordFilter.id))).scalars())
    if not rows:
        return NO_FILTERS
    ids = [f.id for f in rows]
    keywords = (await session.execute(select(FilterKeyword.filter_id, FilterKeyword.keyword, FilterKeyword.whole_word)
                                      .where(FilterKeyword.filter_id.in_(ids)).order_by(FilterKeyword.id))).all()
    posts = (await session.execute(select(FilterStatus.filter_id, FilterStatus.post_id)
                                   .where(FilterStatus.filter_id.in_(ids)))).all()
    compiled = []
    for row in rows:
        own = [(k, w) for f, k, w in keywords if f == row.id]
        compiled.append(CompiledFilter(filter_summary(row), keyword_pattern(own), tuple(k for k, _ in own),
                                       frozenset(p for f, p in posts if f == row.id)))
    return ViewerFilters(tuple(compiled))


async def post_texts(session: AsyncSession, post_ids: list[int]) -> dict[int, str]:
    """post_text of each of these posts."""
    if not post_ids:
        return {}
    rows = await session.execute(select(Post.id, Post.summary, Post.content_html, Post.poll, Post.attachments)
                                 .where(Post.id.in_(post_ids)))
    return {row[0]: post_text(*row[1:]) for row in rows.all()}


def action_in(results: list[dict] | None, context: str | None) -> str | None:
    """What the matching filters do in `context`: "hide" if any hides there, else "warn" if any applies
    there, else None (no context: never hidden, as a post asked for by its id)."""
    if not results or context is None:
        return None
    actions = {r["filter"]["filter_action"] for r in results if context in r["filter"]["context"]}
    return "hide" if "hide" in actions else ("warn" if actions else None)


def warning_titles(results: list[dict] | None, context: str | None) -> list[str]:
    """Titles of the `warn` filters that apply to a post shown in `context` (the web UI folds it behind them)."""
    if action_in(results, context) != "warn":
        return []
    return [r["filter"]["title"] for r in results if context in r["filter"]["context"]]
