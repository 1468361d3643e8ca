"""/api/v2/filters (filters, their keywords and posts) and the deprecated /api/v1/filters (one V1::Filter
per keyword), as Mastodon 4 serves them. The statuses themselves carry which filters matched (`filtered`):
server.services.keyword_filters."""
from __future__ import annotations

import re
from contextlib import asynccontextmanager

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import flag, read_params
from server.convert.filter_to_mastodon import (
    filter_status_to_mastodon, filter_to_mastodon, keyword_to_mastodon, v1_filter_to_mastodon,
)
from server.db.models import Actor, FilterKeyword, FilterStatus
from server.services import filter_settings as store
from server.services.filter_settings import UNCHANGED, FilterChange, KeywordChange

_NESTED = re.compile(r"^keywords_attributes\[(\d*)\]\[(\w+)\]$")
MAX_ATTRIBUTES = 200


@asynccontextmanager
async def _session(request: Request):
    """A session whose service refusals become the API's answers (404, 422); commits when all went well."""
    async with request.app.state.sessions() as session:
        try:
            yield session
        except store.FilterNotFound:
            raise not_found() from None
        except store.FilterError as exc:
            raise HTTPException(422, str(exc)) from None
        await session.commit()


def _bool(value) -> bool | None:
    return None if value is None or value == "" else flag(value)


def _context(params: dict) -> list[str] | None:
    value = params.get("context")
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value] if isinstance(value, list) else []


def _expires_in(params: dict):
    if "expires_in" not in params:
        return UNCHANGED
    value = params["expires_in"]
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    raise HTTPException(422, "Validation failed: expires_in must be a number of seconds")


def _keyword_id(value) -> int | None:
    if value is None or value == "":
        return None
    text = str(value)
    if not text.isdigit() or len(text) > 20:
        raise not_found()
    return int(text)


def _attributes(params: dict, pairs: list[tuple[str, object]]) -> list[dict]:
    """keywords_attributes as a list of dicts: a JSON array (or object keyed by index), or Rails-style form
    fields `keywords_attributes[][keyword]` (a repeated field starts the next keyword) or `[0][keyword]`."""
    given = params.get("keywords_attributes")
    if isinstance(given, list):
        return [a for a in given if isinstance(a, dict)][:MAX_ATTRIBUTES]
    if isinstance(given, dict):
        return [v for _, v in sorted(given.items()) if isinstance(v, dict)][:MAX_ATTRIBUTES]
    listed: list[dict] = []
    indexed: dict[str, dict] = {}
    for key, value in pairs:
        match = _NESTED.match(key)
        if match is None or not isinstance(value, str):
            continue
        index, name = match.groups()
        if index:
            indexed.setdefault(index, {})[name] = value
        elif not listed or name in listed[-1]:
            listed.append({name: value})
        else:
            listed[-1][name] = value
    return (listed + [indexed[i] for i in sorted(indexed, key=int)])[:MAX_ATTRIBUTES]


async def _change(request: Request) -> FilterChange:
    params = await read_params(request)
    pairs = list(request.query_params.multi_items())
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        pairs += (await request.form()).multi_items()  # read_params has read it: starlette keeps it
    keywords = [KeywordChange(id=_keyword_id(a.get("id")), keyword=a.get("keyword"),
                              whole_word=_bool(a.get("whole_word")), destroy=bool(_bool(a.get("_destroy"))))
                for a in _attributes(params, pairs)]
    return FilterChange(title=params.get("title"), context=_context(params), action=params.get("filter_action") or None,
                        expires_in=_expires_in(params), keywords=keywords)


async def _me(request: Request) -> int:
    return (await authenticate(request)).account.actor_id


def _entity(found: store.FilterView) -> dict:
    return filter_to_mastodon(found.filter, found.keywords, found.statuses)


# v2: filters

async def index(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        return JSONResponse([_entity(f) for f in await store.list_filters(session, me)])


async def show(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        return JSONResponse(_entity(await store.view(session, await store.own_filter(session, me, path_id(request)))))


async def create(request: Request) -> JSONResponse:
    me = await _me(request)
    change = await _change(request)
    if change.title is None:
        raise HTTPException(422, "Validation failed: Title can't be blank")
    async with _session(request) as session:
        row = await store.create_filter(session, me, change)
        entity = _entity(await store.view(session, row))
    return JSONResponse(entity)


async def update(request: Request) -> JSONResponse:
    me = await _me(request)
    change = await _change(request)
    async with _session(request) as session:
        row = await store.update_filter(session, me, path_id(request), change)
        entity = _entity(await store.view(session, row))
    return JSONResponse(entity)


async def remove(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        await store.delete_filter(session, me, path_id(request))
    return JSONResponse({})


# v2: keywords

async def keywords(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        found = await store.view(session, await store.own_filter(session, me, path_id(request, "filter_id")))
        return JSONResponse([keyword_to_mastodon(k) for k in found.keywords])


async def add_keyword(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    async with _session(request) as session:
        added = await store.add_keyword(session, me, path_id(request, "filter_id"), params.get("keyword"),
                                        _bool(params.get("whole_word")))
        entity = keyword_to_mastodon(added)
    return JSONResponse(entity)


async def show_keyword(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        keyword, _ = await store.own_keyword(session, me, path_id(request))
        return JSONResponse(keyword_to_mastodon(keyword))


async def update_keyword(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    async with _session(request) as session:
        keyword: FilterKeyword = await store.update_keyword(session, me, path_id(request), params.get("keyword"),
                                                            _bool(params.get("whole_word")))
        entity = keyword_to_mastodon(keyword)
    return JSONResponse(entity)


async def remove_keyword(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        await store.delete_keyword(session, me, path_id(request))
    return JSONResponse({})


# v2: posts

async def statuses(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        found = await store.view(session, await store.own_filter(session, me, path_id(request, "filter_id")))
        return JSONResponse([filter_status_to_mastodon(s) for s in found.statuses])


async def add_status(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    raw = str(params.get("status_id") or "")
    if not raw.isdigit() or len(raw) > 20:
        raise HTTPException(422, "Validation failed: Status can't be blank")
    async with _session(request) as session:
        added: FilterStatus = await store.add_status(session, await session.get(Actor, me),
                                                     path_id(request, "filter_id"), int(raw))
        entity = filter_status_to_mastodon(added)
    return JSONResponse(entity)


async def show_status(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        return JSONResponse(filter_status_to_mastodon(await store.own_status(session, me, path_id(request))))


async def remove_status(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        await store.delete_status(session, me, path_id(request))
    return JSONResponse({})


# v1 (deprecated): one V1::Filter per keyword

def _v1_change(params: dict) -> FilterChange:
    irreversible = _bool(params.get("irreversible"))
    return FilterChange(context=_context(params), expires_in=_expires_in(params),
                        action=None if irreversible is None else ("hide" if irreversible else "warn"))


async def v1_index(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        return JSONResponse([v1_filter_to_mastodon(f, k) for f, k in await store.v1_filters(session, me)])


async def v1_show(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        keyword, row = await store.own_keyword(session, me, path_id(request))
        return JSONResponse(v1_filter_to_mastodon(row, keyword))


async def v1_create(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    change = _v1_change(params)
    async with _session(request) as session:
        row, keyword = await store.create_v1(session, me, params.get("phrase"), change.context or [],
                                             change.action == "hide", bool(_bool(params.get("whole_word"))),
                                             change.expires_in)
        entity = v1_filter_to_mastodon(row, keyword)
    return JSONResponse(entity)


async def v1_update(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    async with _session(request) as session:
        row, keyword = await store.update_v1(session, me, path_id(request), params.get("phrase"),
                                             _bool(params.get("whole_word")), _v1_change(params))
        entity = v1_filter_to_mastodon(row, keyword)
    return JSONResponse(entity)


async def v1_remove(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        await store.delete_v1(session, me, path_id(request))
    return JSONResponse({})
