"""/api/v1/notifications: list (by types), get, dismiss, clear."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.paging import int_param, link_header, read_page
from server.api.mastodon.params import query, query_list
from server.db.models import Actor, Marker, Notification
from server.services.reading import timelines as reading
from server.services.reading.page_views import render_notifications


async def _render(request: Request, session, items: list[Notification], viewer: Actor) -> list[dict]:
    state = request.app.state
    items = await reading.visible_notifications(session, items, viewer)  # blocked, muted, suspended senders
    return await render_notifications(session, items, viewer, state.urls, state.settings.domain)


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    params = query(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id)
        items, shown = await reading.notifications(
            session, viewer, page, types=query_list(request, "types"), excluded=query_list(request, "exclude_types"),
            account_id=params.id("account_id"), include_filtered=bool(params.flag("include_filtered")))
        state = request.app.state
        return JSONResponse(await render_notifications(session, shown, viewer, state.urls, state.settings.domain),
                            headers=link_header(request, [n.id for n in items]))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        item = await session.get(Notification, path_id(request))
        if item is None or item.recipient_id != auth.account.actor_id:
            raise not_found()
        rendered = await _render(request, session, [item], await session.get(Actor, auth.account.actor_id))
        if not rendered:
            raise not_found()
        return JSONResponse(rendered[0])


async def dismiss(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await session.execute(delete(Notification).where(Notification.id == path_id(request),
                                                         Notification.recipient_id == auth.account.actor_id))
        await session.commit()
    return JSONResponse({})


async def clear(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await session.execute(delete(Notification).where(Notification.recipient_id == auth.account.actor_id))
        await session.commit()
    return JSONResponse({})


async def unread_count(request: Request) -> JSONResponse:
    """Notifications after the `notifications` marker, counted up to `limit` (default 100, at most 1000)."""
    auth = await authenticate(request, "read:notifications")
    limit = int_param(request, "limit", 100, 1000)
    async with request.app.state.sessions() as session:
        marker = await session.get(Marker, (auth.account.actor_id, "notifications"))
        unread = select(Notification.id).where(Notification.recipient_id == auth.account.actor_id,
                                              Notification.filtered.is_(False))
        if marker is not None:
            unread = unread.where(Notification.id > marker.last_read_id)
        count = await session.scalar(select(func.count()).select_from(unread.limit(limit).subquery()))
    return JSONResponse({"count": int(count or 0)})
