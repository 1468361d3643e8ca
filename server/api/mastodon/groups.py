"""Curbside's groups API under /api/v1/curbside/groups: list and show (members-only groups to members only),
create and change (admins only); members join and leave. A group's id is the account id of its actor, as the
client API shows it."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import read_params
from server.api.mastodon.staff import staff
from server.convert.group_to_mastodon import group_to_json, thread_state_json
from server.db.models import Actor, Group
from server.services.groups import joining, registry, threads
from server.services.groups import states as thread_states
from server.services.groups.registry import GroupFields, NewGroup
from server.services.reading import timelines as reading
from server.services.reading.page_views import render_statuses
from server.services.social import interactions
from server.services.social.visibility_to_servers import follower_count


async def _json(session, group: Group) -> dict:
    moderators = await registry.moderators(session, group)
    return group_to_json(group, moderators, await follower_count(session, group.actor_id))


def _fields(params) -> GroupFields:
    return GroupFields(title=params.text("title"), description=params.text("description"),
                       specialties=params.texts("specialties"), join=params.text("join"),
                       members_only=params.flag("members_only"),
                       posting_restricted_to_mods=params.flag("posting_restricted_to_mods"))


async def _visible_group(request: Request, session) -> Group:
    """The group the path names; a members-only one only for a signed-in member (else 404, as for nothing)."""
    auth = await authenticate(request, "read:accounts", optional=True)
    group = await registry.group_by_id(session, path_id(request))
    if group is None or (group.members_only and auth is None):
        raise not_found()
    return group


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request, "read:accounts", optional=True)
    async with request.app.state.sessions() as session:
        groups = [g for g in await registry.list_groups(session) if auth is not None or not g.members_only]
        return JSONResponse([await _json(session, g) for g in groups])


async def show(request: Request) -> JSONResponse:
    async with request.app.state.sessions() as session:
        return JSONResponse(await _json(session, await _visible_group(request, session)))


async def _threads_source(request: Request, session) -> tuple[Group | None, Actor]:
    """A group hosted here (members-only ones to members only), or a remote Group actor whose threads reached us."""
    actor = await session.get(Actor, path_id(request))
    if actor is not None and actor.actor_type == "Group" and not actor.local:
        return None, actor
    group = await _visible_group(request, session)
    return group, group.actor


async def group_threads(request: Request) -> JSONResponse:
    """The group's threads (its top-level posts) as statuses, newest first, paged as timelines are, the pinned ones
    first on the first page; each with `curbside_thread` (`locked`, `pinned`). Visitors only when the community is
    open to them. A remote group's: the threads it relayed to us, with what its moderators did to them."""
    auth = await authenticate(request, "read:statuses", optional=True)
    page = read_page(request)
    state = request.app.state
    async with request.app.state.sessions() as session:
        group, actor = await _threads_source(request, session)
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        try:
            await reading.admit(session, viewer)
        except reading.MembersOnly as exc:
            raise HTTPException(401, str(exc)) from None
        if group is not None:
            posts = await threads.threads(session, group, page, members=viewer is not None)
            pinned = await threads.pinned_threads(session, group, members=viewer is not None)
        else:
            posts = await threads.remote_threads(session, actor.id, page)
            pinned = await threads.remote_pinned_threads(session, actor.id)
        first = page.max_id is None and page.min_id is None and page.since_id is None
        shown = [*pinned, *(p for p in posts if p not in pinned)] if first else posts
        found = await thread_states.states(session, [p.id for p in shown])
        rendered = await render_statuses(session, shown, viewer, state.urls, state.settings.domain)
        for status in rendered:
            status["curbside_thread"] = thread_state_json(found.get(int(status["id"])))
        return JSONResponse(rendered, headers=link_header(request, [p.id for p in posts]))


async def create(request: Request) -> JSONResponse:
    """POST `name`, `title`, `description`, `specialties[]`, `join`, `members_only`, `posting_restricted_to_mods`
    (admins only)."""
    auth = await staff(request, "admin:write", admin_only=True)
    params = await read_params(request)
    runtime = request.app.state.runtime
    new = NewGroup(params.text("name") or "", _fields(params))
    async with request.app.state.sessions() as session:
        group = await registry.create_group(session, runtime.urls, runtime.settings.domain, new,
                                            by=auth.account.actor)
        await session.commit()
        return JSONResponse(await _json(session, group), status_code=201)


async def update(request: Request) -> JSONResponse:
    """PATCH any of the fields of `create` but `name` (admins only)."""
    auth = await staff(request, "admin:write", admin_only=True)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        group = await registry.group_by_id(session, path_id(request))
        if group is None:
            raise not_found()
        await registry.update_group(session, group, _fields(params), by=auth.account.actor)
        await session.commit()
        return JSONResponse(await _json(session, group))


async def _join_target(session, group_id: int) -> tuple[Group | None, Actor]:
    """A group hosted here, or a remote Group actor (a Lemmy community, say) by its account id; else 404."""
    actor = await session.get(Actor, group_id)
    if actor is None or actor.actor_type != "Group":
        raise not_found()
    return await registry.group_by_actor(session, actor), actor


async def join(request: Request) -> JSONResponse:
    """A member joins a group: here by its join policy (403 with the reason when refused), elsewhere by a Follow
    that waits for the group's Accept."""
    auth = await authenticate(request, "write:follows")
    runtime = request.app.state.runtime
    async with request.app.state.sessions() as session:
        group, actor = await _join_target(session, path_id(request))
        member = await session.get(Actor, auth.account.actor_id)
        if group is None:
            state = (await interactions.follow(runtime, session, member, actor)).state
        else:
            try:
                state = (await joining.join(runtime, session, group, member)).state
            except joining.JoinRefused as exc:
                raise HTTPException(403, exc.reason) from None
        await session.commit()
    return JSONResponse({"id": str(actor.id), "state": state})


async def leave(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:follows")
    runtime = request.app.state.runtime
    async with request.app.state.sessions() as session:
        group, actor = await _join_target(session, path_id(request))
        member = await session.get(Actor, auth.account.actor_id)
        if group is None:
            await interactions.unfollow(runtime, session, member, actor)
        else:
            await joining.leave(session, group, member)
        await session.commit()
    return JSONResponse({"id": str(actor.id), "state": "none"})


async def _moderated_group(request: Request, session, scope: str) -> tuple[Group, Actor]:
    """The group hosted here the path names, and the caller, one of its moderators or an admin (else 403)."""
    auth = await authenticate(request, scope)
    group = await registry.group_by_id(session, path_id(request))
    if group is None:
        raise not_found()
    if not await registry.may_moderate(session, group, auth.account):
        raise HTTPException(403, "only the group's moderators and admins may do this")
    return group, await session.get(Actor, auth.account.actor_id)


async def requests(request: Request) -> JSONResponse:
    """Who asks to join a group that approves its members."""
    async with request.app.state.sessions() as session:
        group, _ = await _moderated_group(request, session, "read:follows")
        return JSONResponse([{"id": str(a.id), "acct": a.acct if not a.local else a.username, "url": a.url or a.uri}
                             for a in await joining.pending(session, group)])


async def _answer(request: Request, *, accept: bool) -> JSONResponse:
    runtime = request.app.state.runtime
    async with request.app.state.sessions() as session:
        group, moderator = await _moderated_group(request, session, "write:follows")
        candidate = await session.get(Actor, path_id(request, "account_id"))
        if candidate is None:
            raise not_found()
        await joining.answer(runtime, session, group, candidate, accept=accept, by=moderator)
        await session.commit()
    return JSONResponse({"id": str(candidate.id), "state": "accepted" if accept else "none"})


async def authorize(request: Request) -> JSONResponse:
    return await _answer(request, accept=True)


async def reject(request: Request) -> JSONResponse:
    return await _answer(request, accept=False)
