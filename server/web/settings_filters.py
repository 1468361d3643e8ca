"""Settings: the member's keyword filters (the same ones their Mastodon apps keep), listed, made, changed
and removed. Where they apply and what they do: server.services.reading.filter_matching."""
from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.db.ids import as_id
from server.db.types import utcnow
from server.i18n import N_, format_datetime, format_duration, gettext
from server.services.reading import filter_storage as store
from server.services.reading.filter_matching import CONTEXTS
from server.services.reading.filter_storage import UNCHANGED, FilterChange, KeywordChange
from server.web.forms import rollback, sentence
from server.web.page import Web, error_page
from server.web.settings_profile import render_settings

CONTEXT_LABELS = {"home": N_("Home timeline"), "notifications": N_("Notifications"), "public": N_("Public timelines"),
                  "thread": N_("Conversations"), "account": N_("Profiles")}
# Seconds, and the amount and CLDR unit the choice is written in, in the page's language ("" is never).
EXPIRY_CHOICES = [("", 0, ""), ("1800", 30, "minute"), ("3600", 1, "hour"), ("21600", 6, "hour"),
                  ("43200", 12, "hour"), ("86400", 1, "day"), ("604800", 1, "week"), ("2592000", 30, "day")]
KEEP = "keep"
BLANK_ROWS = 3  # empty keyword rows a form offers (no script adds rows)
MAX_ROWS = store.MAX_KEYWORDS + BLANK_ROWS
NO_KEYWORDS = N_("Add at least one keyword: a filter without any would match nothing.")


def _filter_id(web: Web) -> int | None:
    return as_id(str(web.request.path_params["id"]))


def _until(moment: datetime | None) -> str:
    return f"{format_datetime(moment, 'short')} UTC" if moment else ""


def _labels() -> dict[str, str]:
    return {context: gettext(label) for context, label in CONTEXT_LABELS.items()}


def _expiry_choices() -> list[tuple[str, str]]:
    """Each choice as the page's language says it ("Never", "In 30 Minuten", "Dans 1 heure")."""
    return [(value, _capitalised(format_duration(amount, unit, ahead=True)) if unit else gettext("Never"))
            for value, amount, unit in EXPIRY_CHOICES]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


async def filters_page(web: Web) -> Response:
    found = await store.list_filters(web.db, web.viewer.actor_id)
    now = utcnow()
    listed = [{"id": f.filter.id, "title": f.filter.title, "keywords": f.keywords, "posts": len(f.statuses),
               "contexts": [gettext(CONTEXT_LABELS[c]) for c in f.filter.context if c in CONTEXT_LABELS],
               "action": f.filter.action, "until": _until(f.filter.expires_at),
               "expired": f.filter.expires_at is not None and f.filter.expires_at <= now} for f in found]
    return render_settings(web, "settings/filters.html", "filters", filters=listed)


def _form(web: Web, *, title: str = "", contexts=(), action: str = "warn", rows=(), expires: str = "",
          until: str = "", editing: int | None = None, status: int = 200, error: str = "") -> Response:
    rows = list(rows) + [{"id": "", "keyword": "", "whole_word": True}] * BLANK_ROWS
    return render_settings(web, "settings/filter_form.html", "filters", status, error=error, title=title,
                           contexts=list(contexts), action=action, rows=rows, expires=expires, until=until,
                           editing=editing, context_labels=_labels(), expiry_choices=_expiry_choices(),
                           all_contexts=CONTEXTS)


async def new_filter(web: Web) -> Response:
    if web.request.method == "GET":
        return _form(web, contexts=CONTEXTS[:-1])
    change, rows = _submitted(web)
    if not _keeps_keywords(change):
        return _form(web, **_again(web, rows), status=422, error=gettext(NO_KEYWORDS))
    try:
        await store.create_filter(web.db, web.viewer.actor_id, change)
    except ServiceError as exc:
        await rollback(web)
        return _form(web, **_again(web, rows), status=422, error=_reason(exc))
    await web.db.commit()
    return web.redirect("/settings/filters?notice=filter_saved")


async def edit_filter(web: Web) -> Response:
    filter_id = _filter_id(web)
    try:
        found = await store.view(web.db, await store.own_filter(web.db, web.viewer.actor_id, filter_id or 0))
    except ServiceError:
        return error_page(web, 404, gettext("There is no such filter."))
    if web.request.method == "GET":
        row = found.filter
        return _form(web, title=row.title, contexts=row.context, action=row.action, editing=row.id,
                     rows=[{"id": k.id, "keyword": k.keyword, "whole_word": k.whole_word} for k in found.keywords],
                     expires=KEEP if row.expires_at else "", until=_until(row.expires_at))
    change, rows = _submitted(web, {k.id for k in found.keywords})
    if not found.statuses and not _keeps_keywords(change):
        return _form(web, **_again(web, rows), editing=filter_id, until=_until(found.filter.expires_at), status=422,
                     error=gettext(NO_KEYWORDS))
    try:
        await store.update_filter(web.db, web.viewer.actor_id, found.filter.id, change)
    except ServiceError as exc:
        until = _until(found.filter.expires_at)
        await rollback(web)
        return _form(web, **_again(web, rows), editing=filter_id, until=until, status=422, error=_reason(exc))
    await web.db.commit()
    return web.redirect("/settings/filters?notice=filter_saved")


async def delete_filter(web: Web) -> Response:
    try:
        await store.delete_filter(web.db, web.viewer.actor_id, _filter_id(web) or 0)
    except ServiceError:
        return error_page(web, 404, gettext("There is no such filter."))
    await web.db.commit()
    return web.redirect("/settings/filters?notice=filter_deleted")


def _keeps_keywords(change: FilterChange) -> bool:
    return any(k.keyword and not k.destroy for k in change.keywords)


def _reason(exc: ServiceError) -> str:
    """The refusal as the page says it: the store's plain text (`plain`), not the client API's "Validation failed"."""
    if exc.kind is Kind.NOT_FOUND:
        return gettext("That keyword is not in this filter.")
    return sentence(exc if exc.details.get("plain") else str(exc).removeprefix("Validation failed: "))


def _rows(web: Web) -> list[dict]:
    """The keyword rows of the form: keyword-N, whole_word-N (a check box), keyword_id-N (kept keywords)."""
    rows = []
    for i in range(MAX_ROWS):
        name = f"keyword-{i}"
        if web.form is None or name not in web.form:
            continue
        raw_id = web.value(f"keyword_id-{i}")
        rows.append({"id": int(raw_id) if raw_id.isdigit() and len(raw_id) <= 19 else "",
                     "keyword": web.value(name).strip(), "whole_word": bool(web.value(f"whole_word-{i}"))})
    return rows


def _submitted(web: Web, kept: set[int] = frozenset()) -> tuple[FilterChange, list[dict]]:
    """The form as a change: a kept keyword whose box was emptied is removed; an empty new row is nothing."""
    rows = _rows(web)
    keywords = [KeywordChange(id=r["id"] if r["id"] in kept else None, keyword=r["keyword"],
                              whole_word=r["whole_word"], destroy=r["id"] in kept and not r["keyword"])
                for r in rows if r["keyword"] or r["id"] in kept]
    expires = web.value("expires_in")
    expires_in = UNCHANGED if expires == KEEP else (int(expires) if expires.isdigit() and len(expires) < 10 else None)
    change = FilterChange(title=web.value("title"), context=web.form.getlist("context") if web.form else [],
                          action=web.value("filter_action", "warn"), expires_in=expires_in, keywords=keywords)
    return change, rows


def _again(web: Web, rows: list[dict]) -> dict:
    """What the member typed, to show the form again with the reason it was refused."""
    return {"title": web.value("title"), "contexts": web.form.getlist("context") if web.form else [],
            "action": web.value("filter_action", "warn"), "rows": [r for r in rows if r["keyword"] or r["id"]],
            "expires": web.value("expires_in")}
