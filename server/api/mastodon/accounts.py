"""/api/v1/accounts: the member's own account, others' accounts, their statuses, follows and relationships;
private notes, endorsements (featured profiles), removing a follower, familiar followers."""
from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import account_json, accounts_json, not_found, path_id, statuses_json
from server.api.mastodon.paging import int_param, link_header, read_page
from server.api.mastodon.params import flag, query_ids, read_params
from server.api.mastodon.profile import credential_json
from server.db.models import Actor, Follow
from server.services.moderation.hidden_from_viewers import actor_hidden, visible_actors
from server.services.reading import timelines as reading
from server.services.reading.page_views import render_accounts
from server.services.social import interactions as social
from server.services.social import lookup as lookup_service
from server.services.social import notes_and_endorsements as kept
from server.services.social.relationships import familiar_followers as familiar
from server.services.social.relationships import relationship

MAX_ACCOUNTS = 40  # Mastodon's DEFAULT_ACCOUNTS_LIMIT


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


async def lookup(request: Request) -> JSONResponse:
    await authenticate(request)
    async with request.app.state.sessions() as session:
        actor = await lookup_service.find_acct(request.app.state.runtime, session,
                                               request.query_params.get("acct", ""), resolve=False)
        if actor is None or await actor_hidden(session, actor):
            raise not_found()
        return JSONResponse(await account_json(request, session, actor))


async def search(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    query = (request.query_params.get("q") or "").strip()
    resolve = flag(request.query_params.get("resolve", False))
    limit = int_param(request, "limit", 40, 80)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id)
        actors = await lookup_service.search_actors(request.app.state.runtime, session, query, resolve, limit, viewer)
        return await accounts_json(request, session, actors)


async def statuses(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        actor = await _actor(session, path_id(request))
        try:
            return await _statuses(request, session, actor, viewer, page)
        except reading.MembersOnly as exc:
            raise HTTPException(401, str(exc)) from None


async def _statuses(request: Request, session, actor: Actor, viewer: Actor | None, page) -> JSONResponse:
    """An account's statuses (or its pinned ones) for `viewer`; reading.MembersOnly for visitors of a closed
    community."""
    params = request.query_params
    if flag(params.get("pinned", False)):
        return await statuses_json(request, session, await reading.pinned(session, actor, viewer), viewer,
                                   context="account")
    posts, shown = await reading.account_posts(
        session, actor, viewer, page, exclude_replies=flag(params.get("exclude_replies", False)),
        exclude_reblogs=flag(params.get("exclude_reblogs", False)), only_media=flag(params.get("only_media", False)))
    return await statuses_json(request, session, shown, viewer, link_header(request, [p.id for p in posts]), "account")


async def _follow_list(request: Request, column_match, column_other) -> JSONResponse:
    await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        actor = await _actor(session, path_id(request))
        query = select(Follow).where(column_match == actor.id, Follow.state == "accepted")
        follows = page.arrange(list((await session.execute(page.apply(query, Follow.id))).scalars()))
        actors = await visible_actors(session, [await session.get(Actor, getattr(f, column_other)) for f in follows])
        return await accounts_json(request, session, actors, link_header(request, [f.id for f in follows]))


async def followers(request: Request) -> JSONResponse:
    return await _follow_list(request, Follow.followed_id, "follower_id")


async def following(request: Request) -> JSONResponse:
    return await _follow_list(request, Follow.follower_id, "followed_id")


async def _named_accounts(request: Request, session, ids: list[int] | None = None) -> list[Actor]:
    """The visible accounts named by `ids`, else by `id[]` (the first 40); ids naming nothing are skipped, as on
    Mastodon."""
    ids = query_ids(request, "id")[:MAX_ACCOUNTS] if ids is None else ids
    found = [await session.get(Actor, value) for value in ids]
    return await visible_actors(session, [actor for actor in found if actor is not None])


async def index(request: Request) -> JSONResponse:
    """GET /api/v1/accounts?id[]=: the accounts named, hidden ones (suspended, not public yet) left out."""
    await authenticate(request)
    ids = query_ids(request, "id", MAX_ACCOUNTS)
    async with request.app.state.sessions() as session:
        return await accounts_json(request, session, await _named_accounts(request, session, ids))


async def relationships(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        others = await _named_accounts(request, session)
        return JSONResponse([await relationship(session, me, other) for other in others])


async def follow(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await _actor(session, path_id(request))
        await social.follow(state.runtime, session, me, target, show_boosts=params.flag("reblogs", True),
                            notify_posts=params.flag("notify", False))
        await session.commit()
        return JSONResponse(await relationship(session, me, target))


async def unfollow(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await _actor(session, path_id(request))
        await social.unfollow(state.runtime, session, me, target)
        await session.commit()
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
            await social.answer_follow_request(state.runtime, session, me, follower, accept=accept)
            await session.commit()
            return JSONResponse(await relationship(session, me, follower))
    return handler


authorize_follow = _answer(True)
reject_follow = _answer(False)


def _on_account(change):
    """A handler applying `change(runtime, session, me, target, params)` to the account of the path, answering with
    the Relationship."""
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        params = await read_params(request)
        state = request.app.state
        async with state.sessions() as session:
            me = await session.get(Actor, auth.account.actor_id)
            target = await _actor(session, path_id(request))
            await change(state.runtime, session, me, target, params)
            await session.commit()
            return JSONResponse(await relationship(session, me, target))
    return handler


note = _on_account(lambda runtime, session, me, target, params:
                   kept.set_note(session, me, target, params.text("comment") or ""))
pin = _on_account(lambda runtime, session, me, target, params: kept.endorse(session, me, target))
unpin = _on_account(lambda runtime, session, me, target, params: kept.unendorse(session, me, target))
remove_from_followers = _on_account(lambda runtime, session, me, target, params:
                                    social.remove_follower(runtime, session, me, target))


async def endorsements(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    page = read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        rows = await kept.endorsements(session, me, page)
        actors = await visible_actors(session, [actor for _, actor in rows])
        return await accounts_json(request, session, actors, link_header(request, [i for i, _ in rows]))


async def familiar_followers(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        found = await familiar(session, me, await _named_accounts(request, session))
        return JSONResponse([{"id": str(other.id), "accounts": await render_accounts(
            session, await visible_actors(session, followers), state.urls, state.settings.domain)}
            for other, followers in found])
