"""/api/v1/polls: read a poll, vote in it (votes on remote polls go to the poll's server)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import read_params
from server.convert.post_to_mastodon import ViewerState, poll_to_mastodon
from server.db.models import Actor, Post
from server.services.posts import polls
from server.services.social.visibility_to_viewers import visible_post


async def _poll_post(session, request: Request, viewer: Actor | None) -> Post:
    post = await visible_post(session, path_id(request), viewer)
    if post is None or post.boost_of_id is not None or not post.poll:
        raise not_found()
    return post


async def _entity(session, post: Post, viewer: Actor | None) -> dict:
    voted = await polls.own_votes(session, viewer.id, [post.id]) if viewer else {}
    return poll_to_mastodon(post, ViewerState(viewer_id=viewer.id if viewer else None, voted=voted))


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:statuses", optional=True)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        return JSONResponse(await _entity(session, await _poll_post(session, request, viewer), viewer))


async def vote(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:statuses")
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        voter = await session.get(Actor, auth.account.actor_id)
        post = await _poll_post(session, request, voter)
        await polls.vote(state.runtime, session, voter, post, params.ids("choices"))
        await session.commit()
        return JSONResponse(await _entity(session, post, voter))
