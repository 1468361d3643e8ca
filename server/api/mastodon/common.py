"""Shared pieces of the client API handlers: the caller's actor, ids, entity rendering, JSON responses."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.params import as_id
from server.db.models import Actor, Post
from server.services.reading.page_views import render_account, render_accounts, render_statuses


def path_id(request: Request, name: str = "id") -> int:
    """The id in the path; 404 when it cannot name a stored row (not digits, beyond 64 bits)."""
    found = as_id(request.path_params[name])
    if found is None:
        raise not_found()
    return found


def not_found() -> HTTPException:
    return HTTPException(404, "Record not found")


async def statuses_json(request: Request, session, posts: list[Post], viewer: Actor | int | None,
                        headers: dict | None = None, context: str | None = None) -> JSONResponse:
    """Status entities; `context` (home, public, thread, account...) drops what the viewer's filters hide there."""
    state = request.app.state
    return JSONResponse(await render_statuses(session, posts, viewer, state.urls, state.settings.domain, context),
                        headers=headers)


PROPER_FLAGS = ("favourited", "reblogged", "bookmarked")


async def status_json(request: Request, session, post: Post, viewer: Actor | None, **extra) -> JSONResponse:
    """One Status. A boost shown alone carries the viewer's favourited, reblogged and bookmarked of the post it
    boosts, as Mastodon answers a single status (so a boost answers `reblogged: true`); pages do not."""
    state = request.app.state
    rendered = (await render_statuses(session, [post], viewer, state.urls, state.settings.domain))[0]
    if rendered["reblog"] is not None and viewer is not None:
        rendered.update({key: rendered["reblog"][key] for key in PROPER_FLAGS})
    return JSONResponse({**rendered, **extra})


async def account_json(request: Request, session, actor: Actor) -> dict:
    return await render_account(session, actor, request.app.state.urls, request.app.state.settings.domain)


async def accounts_json(request: Request, session, actors: list[Actor], headers: dict | None = None) -> JSONResponse:
    state = request.app.state
    return JSONResponse(await render_accounts(session, actors, state.urls, state.settings.domain), headers=headers)
