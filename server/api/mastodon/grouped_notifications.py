"""/api/v2/notifications (Mastodon 4.3's grouped notifications): the page of groups, one group, its accounts,
dismissing it, the unread count, and the notification policy. Read through the same service as v1."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.notification_policy import FIELDS
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found
from server.api.mastodon.paging import int_param, link_header, read_page
from server.api.mastodon.params import Params, query, query_list, read_params
from server.db.models import Actor, Marker
from server.services.reading import grouped_notifications as grouped
from server.services.reading import notification_policy
from server.services.reading.page_views import render_accounts
from server.services.reading.timelines import Page

EXPANSIONS = ("full", "partial_avatars")
MAX_KEY = 96


def _filters(request: Request, params: Params) -> dict:
    """The query's filters, as the notification service takes them."""
    return {"types": query_list(request, "types"), "excluded": query_list(request, "exclude_types"),
            "account_id": params.id("account_id"), "include_filtered": bool(params.flag("include_filtered"))}


def _grouped_types(request: Request) -> frozenset[str] | None:
    wanted = query_list(request, "grouped_types")
    return frozenset(wanted) if wanted else None


def _key(request: Request) -> str:
    key = request.path_params["group_key"]
    if len(key) > MAX_KEY:
        raise not_found()
    return key


async def _viewer(session, auth) -> Actor:
    return await session.get(Actor, auth.account.actor_id)


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = query(request)
    expand = params.text("expand_accounts", "full")
    if expand not in EXPANSIONS:
        raise HTTPException(422, "Validation failed: expand_accounts must be full or partial_avatars")
    page = read_page(request, default=40, maximum=80)
    state = request.app.state
    async with state.sessions() as session:
        viewer = await _viewer(session, auth)
        groups, covered = await grouped.page_of_groups(session, viewer, page, grouped_types=_grouped_types(request),
                                                       **_filters(request, params))
        body = await grouped.render_groups(session, groups, viewer, state.urls, state.settings.domain,
                                           partial_avatars=expand == "partial_avatars")
    return JSONResponse(body, headers=link_header(request, covered))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        viewer = await _viewer(session, auth)
        group = await grouped.one_group(session, viewer, _key(request))
        body = await grouped.render_groups(session, [group] if group else [], viewer, state.urls, state.settings.domain)
    if not body["notification_groups"]:
        raise not_found()
    return JSONResponse(body)


async def accounts(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    state = request.app.state
    async with state.sessions() as session:
        viewer = await _viewer(session, auth)
        actors, ids = await grouped.group_senders(session, viewer, _key(request), page)
        if not ids and page.max_id is None and page.since_id is None and page.min_id is None:
            raise not_found()  # no such group (an empty later page of one is an empty list)
        body = await render_accounts(session, actors, state.urls, state.settings.domain)
    return JSONResponse(body, headers=link_header(request, ids))


async def dismiss(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await grouped.dismiss_group(session, await _viewer(session, auth), _key(request))
        await session.commit()
    return JSONResponse({})


async def unread_count(request: Request) -> JSONResponse:
    """Groups with a notification after the `notifications` marker, counted up to `limit` (default 100, at most
    1000), as Mastodon counts them."""
    auth = await authenticate(request)
    params = query(request)
    limit = int_param(request, "limit", 100, 1000)
    async with request.app.state.sessions() as session:
        viewer = await _viewer(session, auth)
        marker = await session.get(Marker, (viewer.id, "notifications"))
        page = Page(None, None, marker.last_read_id if marker else None, limit)
        count = await grouped.unread_groups(session, viewer, page, grouped_types=_grouped_types(request),
                                            **_filters(request, params))
    return JSONResponse({"count": count})


async def _policy_json(session, actor_id: int) -> dict:
    return {**await notification_policy.policy_of(session, actor_id),
            "summary": await notification_policy.summary(session, actor_id)}


async def policy(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        return JSONResponse(await _policy_json(session, auth.account.actor_id))


async def update_policy(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        await notification_policy.change_policy(session, auth.account.actor_id,
                                                 {name: params[name] for name in FIELDS if name in params})
        await session.commit()
        return JSONResponse(await _policy_json(session, auth.account.actor_id))
