"""/api/v1/statuses: post (now, or later with `scheduled_at`), read, edit, delete, context, favourite, boost."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon import scheduled_statuses
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import accounts_json, not_found, path_id, status_json, statuses_json
from server.api.mastodon.params import Params, as_id, invalid, query_ids, read_params
from server.db.models import Actor, Like, Post
from server.db.types import utcnow
from server.services.posts import authoring as post_service
from server.services.posts import idempotency, post_actions, scheduling
from server.services.reading import timelines as reading
from server.services.reading.page_views import render_statuses
from server.services.social.visibility_to_viewers import visible_post

MAX_STATUSES = 20  # Mastodon's DEFAULT_STATUSES_LIMIT


def _poll(params: Params) -> post_service.PollSpec | None:
    """`poll` as a JSON object, or the form fields poll[options][], poll[expires_in], poll[multiple]."""
    nested = params.object("poll")
    if nested is not None:
        params = Params({f"poll[{key}]": value for key, value in nested.items()})
    elif params.get("poll[options]") is None:
        return None
    options = params.texts("poll[options]")
    if options is None:
        raise invalid("poll[options]", "a list of text")
    seconds = params.integer("poll[expires_in]")
    if seconds is None:
        raise invalid("poll[expires_in]", "a number of seconds")
    return post_service.PollSpec(tuple(options), seconds, params.flag("poll[multiple]", False))


def _reply_id(params: Params) -> int | None:
    """The post replied to: an id that cannot name a post is a post not found, as on Mastodon."""
    if params.get("in_reply_to_id") in (None, ""):
        return None
    found = as_id(params["in_reply_to_id"])
    if found is None:
        raise not_found()
    return found


def _new_post(params: Params, editing: bool = False) -> post_service.NewPost:
    given = params.get("media_ids") is not None
    media_ids = tuple(params.ids("media_ids")) if given else None if editing else ()
    return post_service.NewPost(
        media_ids=media_ids, text=params.text("status") or "", visibility=params.text("visibility") or "public",
        spoiler_text=params.text("spoiler_text") or "", sensitive=params.flag("sensitive", False),
        in_reply_to_id=_reply_id(params), language=params.text("language") or None, poll=_poll(params),
        phi_confirmed=params.flag("phi_confirmed", False))


async def _refusal(session, author: Actor, exc: post_service.PhiFound) -> JSONResponse:
    """The 422 for a post the privacy guard refused, with its findings (in the text and in images); a post the guard
    asks to confirm is remembered, so sending it again confirms."""
    await post_service.remember_warning(session, author, exc)
    await session.commit()
    return JSONResponse({"error": str(exc), "phi_action": exc.decision.action,
                         "phi_findings": post_service.findings_json(exc.decision)}, status_code=422)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not 0 < len(key) <= idempotency.MAX_KEY:
        raise HTTPException(422, f"Idempotency-Key is 1 to {idempotency.MAX_KEY} characters")
    return key


async def _schedule(request: Request, auth, new: post_service.NewPost, at: datetime) -> JSONResponse:
    """A post for later: answered with its ScheduledStatus (Idempotency-Key is not kept for these)."""
    state = request.app.state
    async with state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        try:
            row = await scheduling.schedule(state.runtime, session, author, new, at)
        except post_service.PhiFound as exc:
            return await _refusal(session, author, exc)
        await session.commit()
        return await scheduled_statuses.one_json(request, session, row)


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    at = params.moment("scheduled_at")
    if at is not None and at > utcnow():  # as Mastodon: a time already past posts now
        return await _schedule(request, auth, _new_post(params), at)
    key = _idempotency_key(request)
    state = request.app.state
    async with state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        if key and (earlier := await idempotency.find(session, author.id, key)) is not None:
            return await status_json(request, session, earlier, author)
        try:
            post = await post_service.create_post(state.runtime, session, author, _new_post(params))
            if key:
                await idempotency.remember(session, author.id, key, post.id)
            await session.commit()
        except post_service.PhiFound as exc:
            return await _refusal(session, author, exc)
        except IntegrityError:  # the same key, posted at the same moment by another request: that one won
            await session.rollback()
            author = await session.get(Actor, auth.account.actor_id)  # reloaded: a rollback expires it
            if not key or (earlier := await idempotency.find(session, author.id, key)) is None:
                raise
            return await status_json(request, session, earlier, author)
        return await status_json(request, session, post, author)


async def _viewed_post(request: Request, session, auth) -> tuple[Actor | None, Post]:
    """The viewer (None for a token without an account) and the post of the path, or 404 if they may not see it."""
    viewer = await session.get(Actor, auth.account.actor_id) if auth else None
    post = await visible_post(session, path_id(request), viewer)
    if post is None:
        raise not_found()
    return viewer, post


async def index(request: Request) -> JSONResponse:
    """GET /api/v1/statuses?id[]=: the statuses named that the viewer may see (as GET /api/v1/statuses/:id decides),
    in the order asked; the others are left out."""
    auth = await authenticate(request)
    ids = query_ids(request, "id", MAX_STATUSES)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        found = [await visible_post(session, post_id, viewer) for post_id in ids]
        return await statuses_json(request, session, [post for post in found if post is not None], viewer)


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        viewer, post = await _viewed_post(request, session, auth)
        return await status_json(request, session, post, viewer)


async def edit(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        try:
            post = await post_service.edit_post(state.runtime, session, author, path_id(request),
                                                _new_post(params, editing=True))
        except post_service.PhiFound as exc:
            return await _refusal(session, author, exc)
        await session.commit()
        return await status_json(request, session, post, author)


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        post = await post_service.own_post(session, author, path_id(request))
        rendered = await status_json(request, session, post, author, text=post.source or "")
        await post_service.delete_post(state.runtime, session, author, post.id)
        await session.commit()
        return rendered


async def source(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        post = await post_service.own_post(session, author, path_id(request))
        return JSONResponse({"id": str(post.id), "text": post.source or "", "spoiler_text": post.summary or ""})


async def history(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        viewer, post = await _viewed_post(request, session, auth)
        state = request.app.state
        entity = (await render_statuses(session, [post], viewer, state.urls, state.settings.domain))[0]
        edits = await post_service.edit_history(session, post)
        versions = [{"content": e.content_html, "spoiler_text": e.summary or "", "sensitive": e.sensitive,
                     "created_at": e.created_at.isoformat().replace("+00:00", "Z"), "account": entity["account"],
                     "media_attachments": [], "emojis": []} for e in edits]
        versions.append({"content": entity["content"], "spoiler_text": entity["spoiler_text"],
                         "sensitive": entity["sensitive"], "created_at": entity["edited_at"] or entity["created_at"],
                         "account": entity["account"], "media_attachments": entity["media_attachments"], "emojis": []})
        return JSONResponse(versions)


async def context(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        viewer, post = await _viewed_post(request, session, auth)
        ancestors, descendants = await reading.thread(session, post, viewer)
        urls, domain = state.urls, state.settings.domain
        return JSONResponse({"ancestors": await render_statuses(session, ancestors, viewer, urls, domain, "thread"),
                             "descendants": await render_statuses(session, descendants, viewer, urls, domain,
                                                                  "thread")})


async def translate(request: Request) -> JSONResponse:
    """No translation service is set up here (GET /api/v1/instance/translation_languages is empty): a status the
    viewer may see answers 503 saying so, one they may not 404."""
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await _viewed_post(request, session, auth)
    raise HTTPException(503, "No translation service is set up on this server")


def status_action(action: post_actions.PostAction):
    """A handler applying `action` to a visible status (a boost's original), answering with the status (a boost
    with the boost itself, the original inside as `reblog`, as Mastodon does); a refusal is a 422."""
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        state = request.app.state
        async with state.sessions() as session:
            actor = await session.get(Actor, auth.account.actor_id)
            post = await post_actions.acted_on(session, path_id(request), actor)
            if post is None:
                raise not_found()
            done = await action.run(state.runtime, session, actor, post)
            await session.commit()
            await session.refresh(post)
            shown = done if isinstance(done, Post) and done.boost_of_id == post.id else post
            return await status_json(request, session, shown, actor)
    return handler


favourite = status_action(post_actions.FAVOURITE)
unfavourite = status_action(post_actions.UNFAVOURITE)
reblog = status_action(post_actions.BOOST)
unreblog = status_action(post_actions.UNBOOST)
mute = status_action(post_actions.MUTE)
unmute = status_action(post_actions.UNMUTE)


def _who(query_for):
    """A handler listing the accounts that did something to a visible post (`query_for(post_id)`)."""
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        async with request.app.state.sessions() as session:
            viewer, post = await _viewed_post(request, session, auth)
            actors = list((await session.execute(query_for(post.id).limit(80))).scalars())
            return await accounts_json(request, session, actors)
    return handler


favourited_by = _who(lambda post_id: select(Actor).join(Like, Like.actor_id == Actor.id)
                     .where(Like.post_id == post_id).order_by(Like.id.desc()))
reblogged_by = _who(lambda post_id: select(Actor).join(Post, Post.author_id == Actor.id)
                    .where(Post.boost_of_id == post_id).order_by(Post.id.desc()))
