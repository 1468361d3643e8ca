"""Blocks, mutes and domain blocks of the member: /api/v1/accounts/:id/(un)block|(un)mute,
/api/v1/blocks, /api/v1/mutes, /api/v1/domain_blocks."""
from __future__ import annotations

from sqlalchemy import or_, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import accounts_json, not_found, path_id
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import read_params
from server.db.models import Actor, Block, Mute
from server.db.types import utcnow
from server.services.social import blocks_and_mutes as members
from server.services.social.relationships import relationship


async def _pair(request: Request, session, scope: str) -> tuple[Actor, Actor]:
    auth = await authenticate(request, scope)
    me = await session.get(Actor, auth.account.actor_id)
    target = await session.get(Actor, path_id(request))
    if target is None:
        raise not_found()
    return me, target


def _relationship_action(scope: str, action):
    async def handler(request: Request) -> JSONResponse:
        state = request.app.state
        params = await read_params(request)
        async with state.sessions() as session:
            me, target = await _pair(request, session, scope)
            await action(state.runtime, session, me, target, params)
            await session.commit()
            return JSONResponse(await relationship(session, me, target))
    return handler


block = _relationship_action("write:blocks", lambda rt, s, me, t, p: members.block(rt, s, me, t))
unblock = _relationship_action("write:blocks", lambda rt, s, me, t, p: members.unblock(rt, s, me, t))
mute = _relationship_action("write:mutes", lambda rt, s, me, t, p: members.mute(
    s, me, t, notifications=p.flag("notifications", True), duration=max(0, p.integer("duration", 0))))
unmute = _relationship_action("write:mutes", lambda rt, s, me, t, p: members.unmute(s, me, t))


async def _listed(request: Request, scope: str, model) -> JSONResponse:
    auth = await authenticate(request, scope)
    page = read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        query = select(model).where(model.actor_id == auth.account.actor_id)
        if model is Mute:
            query = query.where(or_(Mute.expires_at.is_(None), Mute.expires_at > utcnow()))
        rows = page.arrange(list((await session.execute(page.apply(query, model.id))).scalars()))
        actors = [await session.get(Actor, r.target_id) for r in rows]
        return await accounts_json(request, session, actors, link_header(request, [r.id for r in rows]))


async def blocks(request: Request) -> JSONResponse:
    return await _listed(request, "read:blocks", Block)


async def mutes(request: Request) -> JSONResponse:
    return await _listed(request, "read:mutes", Mute)


async def domain_blocks(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:blocks")
    async with request.app.state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        return JSONResponse([b.domain for b in await members.blocked_domains(session, me)])


async def _change_domain(request: Request, add: bool) -> JSONResponse:
    auth = await authenticate(request, "write:blocks")
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        change = members.block_domain if add else members.unblock_domain
        await change(state.runtime, session, me, params.text("domain", ""))
        await session.commit()
    return JSONResponse({})


async def add_domain_block(request: Request) -> JSONResponse:
    return await _change_domain(request, True)


async def remove_domain_block(request: Request) -> JSONResponse:
    return await _change_domain(request, False)
