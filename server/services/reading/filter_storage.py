"""A member's keyword filters kept: created, changed and removed (by the client API, v2 and the deprecated
v1, and by the settings page). Applying them: server.services.reading.filter_matching.

Each change is told to the member's open streams (`filters_changed`, as Mastodon), so their apps reload them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Actor, FilterKeyword, FilterStatus, KeywordFilter
from server.db.types import utcnow
from server.i18n import N_
from server.services.reading import stream_events
from server.services.reading.filter_matching import ACTIONS, CONTEXTS
from server.services.social.visibility_to_viewers import visible_post

MAX_FILTERS = 100  # per member
MAX_KEYWORDS = 100  # per filter
MAX_TITLE = 200
MAX_KEYWORD = 200
MAX_EXPIRES_IN = 10 * 365 * 86400
UNCHANGED = object()


@dataclass
class KeywordChange:
    """One of keywords_attributes[]: a new keyword (no id), a change to one, or its removal."""
    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


@dataclass
class FilterChange:
    """What a create or update says; None (or UNCHANGED for expires_in) leaves a field as it is."""
    title: str | None = None
    context: list[str] | None = None
    action: str | None = None
    expires_in: object = UNCHANGED  # seconds from now, None for never, UNCHANGED
    keywords: list[KeywordChange] = field(default_factory=list)


@dataclass
class FilterView:
    """A filter with its keywords and posts, as the Filter entity shows it."""
    filter: KeywordFilter
    keywords: list[FilterKeyword]
    statuses: list[FilterStatus]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _title(value) -> str:
    title = _text(value)
    if not title:
        raise ServiceError("Validation failed: Title can't be blank", plain=N_("a filter needs a title"))
    if len(title) > MAX_TITLE:
        raise ServiceError("Validation failed: Title is too long (at most %(limit)s characters)",
                           values={"limit": MAX_TITLE}, plain=N_("a title is at most %(limit)s characters"))
    return title


def _too_many_keywords() -> ServiceError:
    return ServiceError("Validation failed: a filter has at most %(limit)s keywords", values={"limit": MAX_KEYWORDS},
                        plain=N_("a filter has at most %(limit)s keywords"))


def _context(values: list[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(v).strip() for v in values or [] if str(v).strip()))
    if not chosen or any(c not in CONTEXTS for c in chosen):
        raise ServiceError("Validation failed: Context can't be blank, Context None or invalid context supplied")
    return chosen


def _action(value: str) -> str:
    if value not in ACTIONS:
        raise ServiceError("Validation failed: Filter action is not included in the list (warn, hide)")
    return value


def _keyword(value) -> str:
    keyword = _text(value)
    if not keyword:
        raise ServiceError("Validation failed: Keyword can't be blank", plain=N_("a keyword cannot be blank"))
    if len(keyword) > MAX_KEYWORD:
        raise ServiceError("Validation failed: Keyword is too long (at most %(limit)s characters)",
                           values={"limit": MAX_KEYWORD}, plain=N_("a keyword is at most %(limit)s characters"))
    return keyword


def _expiry(seconds):
    if seconds is None:
        return None
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 < seconds <= MAX_EXPIRES_IN:
        raise ServiceError("Validation failed: expires_in must be a number of seconds")
    return utcnow() + timedelta(seconds=seconds)


async def _changed(session: AsyncSession, actor_id: int) -> None:
    await stream_events.emit(session, "filters_changed", {"actor_id": actor_id})


async def own_filter(session: AsyncSession, actor_id: int, filter_id: int) -> KeywordFilter:
    row = await session.get(KeywordFilter, filter_id)
    if row is None or row.actor_id != actor_id:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return row


async def view(session: AsyncSession, row: KeywordFilter) -> FilterView:
    return (await views(session, [row]))[0]


async def views(session: AsyncSession, rows: list[KeywordFilter]) -> list[FilterView]:
    ids = [r.id for r in rows]
    keywords = list((await session.execute(select(FilterKeyword).where(FilterKeyword.filter_id.in_(ids))
                                           .order_by(FilterKeyword.id))).scalars()) if ids else []
    statuses = list((await session.execute(select(FilterStatus).where(FilterStatus.filter_id.in_(ids))
                                           .order_by(FilterStatus.id))).scalars()) if ids else []
    return [FilterView(r, [k for k in keywords if k.filter_id == r.id], [s for s in statuses if s.filter_id == r.id])
            for r in rows]


async def list_filters(session: AsyncSession, actor_id: int) -> list[FilterView]:
    """All the member's filters (expired ones too: apps show them), oldest first."""
    rows = list((await session.execute(select(KeywordFilter).where(KeywordFilter.actor_id == actor_id)
                                       .order_by(KeywordFilter.id))).scalars())
    return await views(session, rows)


async def _keyword_count(session: AsyncSession, filter_id: int) -> int:
    return await session.scalar(select(func.count()).where(FilterKeyword.filter_id == filter_id)) or 0


async def _apply_keywords(session: AsyncSession, row: KeywordFilter, changes: list[KeywordChange]) -> None:
    for change in changes:
        if change.id is None:
            if change.destroy:
                continue  # a new keyword marked for removal is never attached (as Mastodon)
            session.add(FilterKeyword(filter_id=row.id, keyword=_keyword(change.keyword),
                                      whole_word=True if change.whole_word is None else change.whole_word))
            continue
        keyword = await session.get(FilterKeyword, change.id)
        if keyword is None or keyword.filter_id != row.id:
            raise ServiceError("Record not found", Kind.NOT_FOUND)
        if change.destroy:
            await session.delete(keyword)
            continue
        if change.keyword is not None:
            keyword.keyword = _keyword(change.keyword)
        if change.whole_word is not None:
            keyword.whole_word = change.whole_word
    await session.flush()
    if await _keyword_count(session, row.id) > MAX_KEYWORDS:
        raise _too_many_keywords()


async def create_filter(session: AsyncSession, actor_id: int, change: FilterChange) -> KeywordFilter:
    """A new filter (warn unless told; never expiring unless told), with its keywords."""
    count = await session.scalar(select(func.count()).where(KeywordFilter.actor_id == actor_id)) or 0
    if count >= MAX_FILTERS:
        raise ServiceError("Validation failed: you may keep at most %(limit)s filters", values={"limit": MAX_FILTERS},
                           plain=N_("you may keep at most %(limit)s filters"))
    if any(k.id is not None for k in change.keywords):
        # a keyword id cannot name anything in a filter not made yet
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    row = KeywordFilter(actor_id=actor_id, title=_title(change.title), context=_context(change.context),
                        action=_action(change.action or "warn"),
                        expires_at=None if change.expires_in is UNCHANGED else _expiry(change.expires_in))
    session.add(row)
    await session.flush()
    await _apply_keywords(session, row, change.keywords)
    await _changed(session, actor_id)
    return row


async def update_filter(session: AsyncSession, actor_id: int, filter_id: int, change: FilterChange) -> KeywordFilter:
    row = await own_filter(session, actor_id, filter_id)
    if change.title is not None:
        row.title = _title(change.title)
    if change.context is not None:
        row.context = _context(change.context)
    if change.action is not None:
        row.action = _action(change.action)
    if change.expires_in is not UNCHANGED:
        row.expires_at = _expiry(change.expires_in)
    await _apply_keywords(session, row, change.keywords)
    await _changed(session, actor_id)
    return row


async def delete_filter(session: AsyncSession, actor_id: int, filter_id: int) -> None:
    row = await own_filter(session, actor_id, filter_id)
    await session.delete(row)
    await session.flush()
    await _changed(session, actor_id)


async def own_keyword(session: AsyncSession, actor_id: int, keyword_id: int) -> tuple[FilterKeyword, KeywordFilter]:
    keyword = await session.get(FilterKeyword, keyword_id)
    row = await session.get(KeywordFilter, keyword.filter_id) if keyword is not None else None
    if row is None or row.actor_id != actor_id:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return keyword, row


async def add_keyword(session: AsyncSession, actor_id: int, filter_id: int, keyword: str | None,
                      whole_word: bool | None) -> FilterKeyword:
    row = await own_filter(session, actor_id, filter_id)
    if await _keyword_count(session, row.id) >= MAX_KEYWORDS:
        raise _too_many_keywords()
    added = FilterKeyword(filter_id=row.id, keyword=_keyword(keyword),
                          whole_word=True if whole_word is None else whole_word)
    session.add(added)
    await session.flush()
    await _changed(session, actor_id)
    return added


async def update_keyword(session: AsyncSession, actor_id: int, keyword_id: int, keyword: str | None,
                         whole_word: bool | None) -> FilterKeyword:
    found, _ = await own_keyword(session, actor_id, keyword_id)
    found.keyword = _keyword(keyword)
    if whole_word is not None:
        found.whole_word = whole_word
    await session.flush()
    await _changed(session, actor_id)
    return found


async def delete_keyword(session: AsyncSession, actor_id: int, keyword_id: int) -> None:
    found, _ = await own_keyword(session, actor_id, keyword_id)
    await session.delete(found)
    await session.flush()
    await _changed(session, actor_id)


async def own_status(session: AsyncSession, actor_id: int, row_id: int) -> FilterStatus:
    found = await session.get(FilterStatus, row_id)
    row = await session.get(KeywordFilter, found.filter_id) if found is not None else None
    if row is None or row.actor_id != actor_id:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return found


async def add_status(session: AsyncSession, actor: Actor, filter_id: int, post_id: int) -> FilterStatus:
    """A post the filter applies to: one the member may see (else 404, as for one that does not exist)."""
    row = await own_filter(session, actor.id, filter_id)
    if await visible_post(session, post_id, actor) is None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    taken = await session.scalar(select(FilterStatus.id).where(FilterStatus.filter_id == row.id,
                                                               FilterStatus.post_id == post_id))
    if taken is not None:
        raise ServiceError("Validation failed: Status has already been taken")
    added = FilterStatus(filter_id=row.id, post_id=post_id)
    session.add(added)
    await session.flush()
    await _changed(session, actor.id)
    return added


async def delete_status(session: AsyncSession, actor_id: int, row_id: int) -> None:
    found = await own_status(session, actor_id, row_id)
    await session.execute(delete(FilterStatus).where(FilterStatus.id == found.id))
    await _changed(session, actor_id)


# The deprecated v1 API: one V1::Filter per keyword, its id the keyword's (as Mastodon maps them).

async def v1_filters(session: AsyncSession, actor_id: int) -> list[tuple[KeywordFilter, FilterKeyword]]:
    rows = await session.execute(select(KeywordFilter, FilterKeyword)
                                 .join(FilterKeyword, FilterKeyword.filter_id == KeywordFilter.id)
                                 .where(KeywordFilter.actor_id == actor_id).order_by(FilterKeyword.id))
    return [(f, k) for f, k in rows.all()]


async def create_v1(session: AsyncSession, actor_id: int, phrase: str | None, context: list[str], irreversible: bool,
                    whole_word: bool, expires_in) -> tuple[KeywordFilter, FilterKeyword]:
    """A filter of one keyword, titled by it; `irreversible` makes it hide."""
    row = await create_filter(session, actor_id, FilterChange(
        title=_keyword(phrase), context=context, action="hide" if irreversible else "warn", expires_in=expires_in,
        keywords=[KeywordChange(keyword=phrase, whole_word=whole_word)]))
    keyword = (await session.execute(select(FilterKeyword).where(FilterKeyword.filter_id == row.id))).scalar_one()
    return row, keyword


async def update_v1(session: AsyncSession, actor_id: int, keyword_id: int, phrase: str | None,
                    whole_word: bool | None, change: FilterChange) -> tuple[KeywordFilter, FilterKeyword]:
    """The keyword's phrase and whole_word always; its filter's context, action and expiry only while the
    filter has no other keyword (they would change for those too)."""
    keyword, row = await own_keyword(session, actor_id, keyword_id)
    single = await _keyword_count(session, row.id) == 1
    shared = (change.context is not None and _context(change.context) != list(row.context)) or \
        (change.action is not None and change.action != row.action) or change.expires_in is not UNCHANGED
    if shared and not single:
        raise ServiceError("Validation failed: this filter has several keywords; change it with the v2 API")
    if single and row.title == keyword.keyword:
        row.title = _keyword(phrase)
    await update_keyword(session, actor_id, keyword.id, phrase, whole_word)
    return await update_filter(session, actor_id, row.id, change), keyword


async def delete_v1(session: AsyncSession, actor_id: int, keyword_id: int) -> None:
    """The keyword, and its filter with it when nothing is left in it."""
    keyword, row = await own_keyword(session, actor_id, keyword_id)
    await delete_keyword(session, actor_id, keyword.id)
    left = await session.scalar(select(func.count()).where(FilterStatus.filter_id == row.id))
    if not left and not await _keyword_count(session, row.id):
        await delete_filter(session, actor_id, row.id)
