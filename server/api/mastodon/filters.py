"""/api/v2/filters (filters, their keywords and posts) and the deprecated /api/v1/filters (one V1::Filter
per keyword), as Mastodon 4 serves them. The statuses themselves carry which filters matched (`filtered`):
server.services.reading.filter_matching."""
from __future__ import annotations

import re
from contextlib import asynccontextmanager

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import Params, as_id, read_params
from server.convert.filter_to_mastodon import (
    filter_status_to_mastodon,
    filter_to_mastodon,
    keyword_to_mastodon,
    v1_filter_to_mastodon,
)
from server.db.models import Actor, FilterKeyword, FilterStatus
from server.services.reading import filter_storage as store
from server.services.reading.filter_storage import UNCHANGED, FilterChange, KeywordChange

_NESTED = re.compile(r"^keywords_attributes\[(\d*)\]\[(\w+)\]$")
MAX_ATTRIBUTES = 200


@asynccontextmanager
async def _session(request: Request):
    """A session that commits when all went well."""
    async with request.app.state.sessions() as session:
        yield session
        await session.commit()


def _expires_in(params: Params):
    """Seconds from now; None (null or empty) for never; UNCHANGED when not given."""
    return params.integer("expires_in") if "expires_in" in params else UNCHANGED


def _keyword_id(attributes: Params) -> int | None:
    """The keyword an attribute changes: an id that cannot name one is a keyword not found."""
    if attributes.get("id") in (None, ""):
        return None
    found = as_id(attributes["id"])
    if found is None:
        raise not_found()
    return found


def _attributes(params: Params, pairs: list[tuple[str, object]]) -> list[dict]:
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
    keywords = [KeywordChange(id=_keyword_id(a), keyword=a.text("keyword"), whole_word=a.flag("whole_word"),
                              destroy=a.flag("_destroy", False))
                for a in map(Params, _attributes(params, pairs))]
    return FilterChange(title=params.text("title"), context=params.texts("context"),
                        action=params.text("filter_action") or None, expires_in=_expires_in(params), keywords=keywords)


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
        added = await store.add_keyword(session, me, path_id(request, "filter_id"), params.text("keyword"),
                                        params.flag("whole_word"))
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
        keyword: FilterKeyword = await store.update_keyword(session, me, path_id(request), params.text("keyword"),
                                                            params.flag("whole_word"))
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
    status_id = params.id("status_id")
    if status_id is None:
        raise HTTPException(422, "Validation failed: Status can't be blank")
    async with _session(request) as session:
        added: FilterStatus = await store.add_status(session, await session.get(Actor, me),
                                                     path_id(request, "filter_id"), status_id)
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

def _v1_change(params: Params) -> FilterChange:
    irreversible = params.flag("irreversible")
    return FilterChange(context=params.texts("context"), expires_in=_expires_in(params),
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
        row, keyword = await store.create_v1(session, me, params.text("phrase"), change.context or [],
                                             change.action == "hide", params.flag("whole_word", False),
                                             change.expires_in)
        entity = v1_filter_to_mastodon(row, keyword)
    return JSONResponse(entity)


async def v1_update(request: Request) -> JSONResponse:
    me = await _me(request)
    params = await read_params(request)
    async with _session(request) as session:
        row, keyword = await store.update_v1(session, me, path_id(request), params.text("phrase"),
                                             params.flag("whole_word"), _v1_change(params))
        entity = v1_filter_to_mastodon(row, keyword)
    return JSONResponse(entity)


async def v1_remove(request: Request) -> JSONResponse:
    me = await _me(request)
    async with _session(request) as session:
        await store.delete_v1(session, me, path_id(request))
    return JSONResponse({})
