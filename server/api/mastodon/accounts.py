"""/api/v1/accounts: the member's own account, others' accounts, their statuses, follows and relationships."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from federation.webfinger import WebfingerError, parse_acct
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import account_json, accounts_json, not_found, path_id, statuses_json
from server.api.mastodon.paging import int_param, link_header, read_page
from server.api.mastodon.params import flag, read_params
from server.api.mastodon.profile import credential_json
from server.db.models import Actor, Block, Follow, Post
from server.services import social
from server.services.access import may_see
from server.services.bookmarks import pinned_posts
from server.services.moderation.filters import actor_hidden, visible_actors, visible_posts
from server.services.moderation.members import relationship_flags
from server.services.remote_actors import RemoteActorError, resolve_acct


async def verify_credentials(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        actor = await session.get(Actor, auth.account.actor_id)
        return JSONResponse(await credential_json(request, session, actor, auth.account))


async def _actor(session, actor_id: int) -> Actor:
    actor = await session.get(Actor, actor_id)
    if actor is None or await actor_hidden(session, actor):
        raise not_found()
    return actor


async def show(request: Request) -> JSONResponse:
    await authenticate(request)
    async with request.app.state.sessions() as session:
        return JSONResponse(await account_json(request, session, await _actor(session, path_id(request))))


async def _find_acct(request: Request, session, acct: str, *, resolve: bool) -> Actor | None:
    try:
        user, domain = parse_acct(acct if "@" in acct.lstrip("@") else f"{acct.lstrip('@')}@{request.app.state.settings.domain}")
    except WebfingerError:
        return None
    actor = (await session.execute(select(Actor).where(Actor.domain == domain,
                                                       func.lower(Actor.username) == user.lower()))).scalars().first()
    if actor is None and resolve and domain != request.app.state.settings.domain:
        try:
            actor = await resolve_acct(request.app.state.runtime, session, user, domain)
            await session.commit()
        except RemoteActorError:
            return None
    return actor


async def lookup(request: Request) -> JSONResponse:
    await authenticate(request)
    async with request.app.state.sessions() as session:
        actor = await _find_acct(request, session, request.query_params.get("acct", ""), resolve=False)
        if actor is None or await actor_hidden(session, actor):
            raise not_found()
        return JSONResponse(await account_json(request, session, actor))


async def search(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    query = (request.query_params.get("q") or "").strip()
    resolve = flag(request.query_params.get("resolve", False))
    limit = int_param(request, "limit", 40, 80)
    async with request.app.state.sessions() as session:
        return await accounts_json(request, session, await search_actors(request, session, query, resolve, limit))


async def search_actors(request: Request, session, query: str, resolve: bool, limit: int) -> list[Actor]:
    """An exact acct (resolved over WebFinger if asked), else a prefix match on usernames and names."""
    if not query:
        return []
    if "@" in query.lstrip("@"):
        actor = await _find_acct(request, session, query, resolve=resolve)
        return await visible_actors(session, [actor] if actor else [])
    pattern = query.lstrip("@").replace("%", "").replace("_", "\\_") + "%"
    rows = await session.execute(select(Actor).where(
        Actor.actor_type != "Application",
        or_(Actor.username.ilike(pattern, escape="\\"), Actor.display_name.ilike(pattern, escape="\\")))
        .order_by(Actor.local.desc(), Actor.id).limit(limit))
    return await visible_actors(session, list(rows.scalars()))


async def statuses(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        actor = await _actor(session, path_id(request))
        query = select(Post).where(Post.author_id == actor.id)
        if flag(request.query_params.get("exclude_replies", False)):
            query = query.where(Post.in_reply_to_id.is_(None))
        if flag(request.query_params.get("exclude_reblogs", False)):
            query = query.where(Post.boost_of_id.is_(None))
        if flag(request.query_params.get("only_media", False)):
            query = query.where(Post.attachments != [])
        if flag(request.query_params.get("pinned", False)):
            pinned = [p for p in await pinned_posts(session, actor.id) if await may_see(session, p, viewer)]
            return await statuses_json(request, session, pinned, viewer)
        candidates = page.arrange(list((await session.execute(page.apply(query, Post.id))).scalars()))
        visible = await visible_posts(session, [p for p in candidates if await may_see(session, p, viewer)], viewer)
        return await statuses_json(request, session, visible, viewer, link_header(request, [p.id for p in candidates]))


async def _follow_list(request: Request, column_match, column_other) -> JSONResponse:
    await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        actor = await _actor(session, path_id(request))
        query = select(Follow).where(column_match == actor.id, Follow.state == "accepted")
        follows = page.arrange(list((await session.execute(page.apply(query, Follow.id))).scalars()))
        actors = [await session.get(Actor, getattr(f, column_other)) for f in follows]
        return await accounts_json(request, session, actors, link_header(request, [f.id for f in follows]))


async def followers(request: Request) -> JSONResponse:
    return await _follow_list(request, Follow.followed_id, "follower_id")


async def following(request: Request) -> JSONResponse:
    return await _follow_list(request, Follow.follower_id, "followed_id")


async def relationship(session, me: Actor, other: Actor) -> dict:
    def one(query):
        return session.scalar(query.limit(1))
    mine = await social.find_follow(session, me.id, other.id)
    theirs = await social.find_follow(session, other.id, me.id)
    blocking = await one(select(Block.id).where(Block.actor_id == me.id, Block.target_id == other.id))
    blocked_by = await one(select(Block.id).where(Block.actor_id == other.id, Block.target_id == me.id))
    return {"id": str(other.id), "following": bool(mine and mine.state == "accepted"),
            "showing_reblogs": bool(mine and mine.show_boosts), "notifying": bool(mine and mine.notify),
            "languages": None, "followed_by": bool(theirs and theirs.state == "accepted"),
            "blocking": bool(blocking), "blocked_by": bool(blocked_by),
            "requested": bool(mine and mine.state == "pending"),
            "requested_by": bool(theirs and theirs.state == "pending"),
            **await relationship_flags(session, me, other), "endorsed": False, "note": ""}


async def relationships(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    ids = request.query_params.getlist("id[]") or request.query_params.getlist("id")
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        result = []
        for value in ids[:40]:
            other = await session.get(Actor, int(value)) if value.isdigit() else None
            if other is not None:
                result.append(await relationship(session, me, other))
        return JSONResponse(result)


async def follow(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await _actor(session, path_id(request))
        try:
            await social.follow(state.runtime, session, me, target, show_boosts=flag(params.get("reblogs", True)),
                                notify_posts=flag(params.get("notify", False)))
        except social.SocialError as exc:
            raise HTTPException(403, str(exc)) from None
        await session.commit()
        state.runtime.wake("deliveries")
        return JSONResponse(await relationship(session, me, target))


async def unfollow(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await _actor(session, path_id(request))
        await social.unfollow(state.runtime, session, me, target)
        await session.commit()
        state.runtime.wake("deliveries")
        return JSONResponse(await relationship(session, me, target))


async def follow_requests(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        query = select(Follow).where(Follow.followed_id == auth.account.actor_id, Follow.state == "pending")
        pending = page.arrange(list((await session.execute(page.apply(query, Follow.id))).scalars()))
        actors = [await session.get(Actor, f.follower_id) for f in pending]
        return await accounts_json(request, session, actors, link_header(request, [f.id for f in pending]))


def _answer(accept: bool):
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        state = request.app.state
        async with state.sessions() as session:
            me = await session.get(Actor, auth.account.actor_id)
            follower = await _actor(session, path_id(request))
            try:
                await social.answer_follow_request(state.runtime, session, me, follower, accept=accept)
            except social.SocialError:
                raise not_found() from None
            await session.commit()
            state.runtime.wake("deliveries")
            return JSONResponse(await relationship(session, me, follower))
    return handler


authorize_follow = _answer(True)
reject_follow = _answer(False)
