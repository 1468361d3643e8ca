"""Moderation of a group hosted here, under /api/v1/curbside/groups/:id: remove a thread or a reply
(`threads/:status_id/remove`), lock, unlock, pin and unpin a thread, ban (`POST bans`, `account_id`), unban
(`DELETE bans/:account_id`) and list bans, and the reports about the group's content. The group's moderators and
admins only: the service refuses anyone else (403 with the reason)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import Kind, ServiceError
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.params import read_params
from server.convert.group_to_mastodon import ban_to_json, thread_state_json
from server.db.models import Actor, Group
from server.services.groups import moderating, registry, states


async def _group(request: Request, session, scope: str) -> tuple[Group, Actor]:
    auth = await authenticate(request, scope)
    group = await registry.group_by_id(session, path_id(request))
    if group is None:
        raise not_found()
    return group, await session.get(Actor, auth.account.actor_id)


async def _thread_action(request: Request, act) -> JSONResponse:
    params = await read_params(request)
    runtime = request.app.state.runtime
    status_id = path_id(request, "status_id")
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "write:statuses")
        await act(runtime, session, group, status_id, moderator, params.text("reason"))
        await session.commit()
        state = thread_state_json(await states.state_of(session, status_id, group.actor_id))
    return JSONResponse({"id": str(status_id), **state})


async def remove(request: Request) -> JSONResponse:
    params = await read_params(request)
    runtime = request.app.state.runtime
    status_id = path_id(request, "status_id")
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "write:statuses")
        await moderating.remove(runtime, session, group, status_id, by=moderator, reason=params.text("reason"))
        await session.commit()
    return JSONResponse({"id": str(status_id), "removed": True})


async def lock(request: Request) -> JSONResponse:
    return await _thread_action(request, lambda rt, s, g, i, by, why: moderating.set_locked(
        rt, s, g, i, True, by=by, reason=why))


async def unlock(request: Request) -> JSONResponse:
    return await _thread_action(request, lambda rt, s, g, i, by, why: moderating.set_locked(
        rt, s, g, i, False, by=by, reason=why))


async def pin(request: Request) -> JSONResponse:
    return await _thread_action(request, lambda rt, s, g, i, by, why: moderating.set_pinned(rt, s, g, i, True, by=by))


async def unpin(request: Request) -> JSONResponse:
    return await _thread_action(request, lambda rt, s, g, i, by, why: moderating.set_pinned(rt, s, g, i, False, by=by))


async def _target(session, account_id: int | None) -> Actor:
    if account_id is None:
        raise ServiceError("account_id is required")
    target = await session.get(Actor, account_id)
    if target is None:
        raise ServiceError(f"no account {account_id}", Kind.NOT_FOUND)
    return target


async def bans(request: Request) -> JSONResponse:
    domain = request.app.state.settings.domain
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "read:accounts")
        return JSONResponse([ban_to_json(actor, ban, domain)
                             for actor, ban in await moderating.banned(session, group, by=moderator)])


async def ban(request: Request) -> JSONResponse:
    """POST `account_id` (the client API's id of a local or remote account), optional `reason`."""
    params = await read_params(request)
    runtime = request.app.state.runtime
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "write:blocks")
        target = await _target(session, params.id("account_id"))
        await moderating.ban(runtime, session, group, target, by=moderator, reason=params.text("reason"))
        await session.commit()
        ban = await states.ban_of(session, group.actor_id, target.id)
        return JSONResponse(ban_to_json(target, ban, runtime.settings.domain), status_code=201)


async def unban(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "write:blocks")
        target = await _target(session, path_id(request, "account_id"))
        await moderating.unban(runtime, session, group, target, by=moderator)
        await session.commit()
    return JSONResponse({"account_id": str(target.id), "banned": False})


def _report_json(report) -> dict:
    return {"id": str(report.id), "category": report.category, "comment": report.comment,
            "target_account": report.target_uri, "status_ids": [str(i) for i in report.post_ids or []],
            "status_uris": report.post_uris or [], "origin": report.origin,
            "created_at": report.created_at.isoformat().replace("+00:00", "Z")}


async def reports(request: Request) -> JSONResponse:
    """The open reports about the group's posts: its moderators see them, as the instance's moderators do."""
    async with request.app.state.sessions() as session:
        group, moderator = await _group(request, session, "read:statuses")
        return JSONResponse([_report_json(r) for r in await moderating.reports_about(session, group, by=moderator)])
