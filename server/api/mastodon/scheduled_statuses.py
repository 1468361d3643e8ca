"""/api/v1/scheduled_statuses, and posting with `scheduled_at` (POST /api/v1/statuses): a member's posts waiting
for their time, which the worker publishes (server.services.posts.scheduling). Only their author sees them."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import path_id
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import invalid, read_params
from server.convert.media_to_mastodon import attachment_to_mastodon
from server.convert.scheduled_to_mastodon import scheduled_to_mastodon
from server.db.models import Actor, ScheduledPost
from server.runtime import Runtime
from server.services.posts import media as media_service
from server.services.posts import scheduling


async def entities(runtime: Runtime, session, rows: list[ScheduledPost]) -> list[dict]:
    uploads = await scheduling.uploads_of(session, rows)
    return [scheduled_to_mastodon(row, [attachment_to_mastodon(media_service.attachment_json(runtime, u),
                                                               fallback_id=str(u.id), remote=False)
                                        for u in uploads[row.id]]) for row in rows]


async def one_json(request: Request, session, row: ScheduledPost) -> JSONResponse:
    return JSONResponse((await entities(request.app.state.runtime, session, [row]))[0])


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        rows = page.arrange(list((await session.execute(scheduling.listing_query(author, page))).scalars()))
        body = await entities(request.app.state.runtime, session, rows)
        return JSONResponse(body, headers=link_header(request, [r.id for r in rows]))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        return await one_json(request, session, await scheduling.own(session, author, path_id(request)))


async def update(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    at = params.moment("scheduled_at")
    if at is None:
        raise invalid("scheduled_at", "a date and time at least 5 minutes ahead")
    async with request.app.state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        row = await scheduling.reschedule(session, author, path_id(request), at)
        await session.commit()
        return await one_json(request, session, row)


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        await scheduling.cancel(session, author, path_id(request))
        await session.commit()
        return JSONResponse({})
