"""/api/v1/lists (a member's lists, their accounts), /api/v1/accounts/:id/lists and the list timeline
/api/v1/timelines/list/:list_id, as Mastodon has them. Only the owner ever sees a list: another member's
list is "Record not found"."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import Auth, authenticate
from server.api.mastodon.common import accounts_json, not_found, path_id, statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import as_id, read_params
from server.convert.list_to_mastodon import list_to_mastodon
from server.db.models import Actor, List
from server.services.moderation.hidden_from_viewers import actor_hidden, visible_actors
from server.services.reading import lists
from server.services.reading import timelines as reading


async def _owned(request: Request, session, auth: Auth, name: str = "id") -> List:
    found = await lists.find_list(session, auth.account.actor_id, path_id(request, name))
    if found is None:
        raise not_found()
    return found


async def index(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        return JSONResponse([list_to_mastodon(r) for r in await lists.owned_lists(session, auth.account.actor_id)])


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        return JSONResponse(list_to_mastodon(await _owned(request, session, auth)))


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        row = await lists.create_list(session, auth.account.actor_id, params.text("title"),
                                      params.text("replies_policy") or "list", params.flag("exclusive", False))
        await session.commit()
        return JSONResponse(list_to_mastodon(row))


async def update(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        row = await _owned(request, session, auth)
        await lists.update_list(session, row, title=params.text("title"),
                                replies_policy=params.text("replies_policy"), exclusive=params.flag("exclusive"))
        await session.commit()
        return JSONResponse(list_to_mastodon(row))


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await lists.delete_list(session, await _owned(request, session, auth))
        await session.commit()
        return JSONResponse({})


async def accounts(request: Request) -> JSONResponse:
    """The list's accounts, paged by Link headers; limit=0 gives them all at once (as on Mastodon)."""
    auth = await authenticate(request)
    unpaged = request.query_params.get("limit") == "0"
    page = None if unpaged else read_page(request, default=40, maximum=80)
    async with request.app.state.sessions() as session:
        rows = await lists.members(session, await _owned(request, session, auth), page)
        shown = await visible_actors(session, [actor for _, actor in rows])
        return await accounts_json(request, session, shown,
                                   None if unpaged else link_header(request, [i for i, _ in rows]))


async def _account_ids(request: Request) -> list[int]:
    """account_ids[] from the body (form or JSON) or, as some clients send a DELETE, the query string."""
    given = (await read_params(request)).get("account_ids")
    found = [as_id(value) for value in (given if isinstance(given, list) else [given])]
    if None in found:  # ids that cannot name an account (none given, too large, not ids) name none: 404
        raise not_found()
    return found


async def add_accounts(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    ids = await _account_ids(request)
    async with request.app.state.sessions() as session:
        row = await _owned(request, session, auth)
        await lists.add_accounts(session, row, ids)
        await session.commit()
        return JSONResponse({})


async def remove_accounts(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    ids = await _account_ids(request)
    async with request.app.state.sessions() as session:
        await lists.remove_accounts(session, await _owned(request, session, auth), ids)
        await session.commit()
        return JSONResponse({})


async def account_lists(request: Request) -> JSONResponse:
    """GET /api/v1/accounts/:id/lists: the caller's lists that hold this account."""
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        actor = await session.get(Actor, path_id(request))
        if actor is None or await actor_hidden(session, actor):
            raise not_found()
        found = await lists.lists_with(session, auth.account.actor_id, actor.id)
        return JSONResponse([list_to_mastodon(r) for r in found])


async def timeline(request: Request) -> JSONResponse:
    """GET /api/v1/timelines/list/:list_id."""
    auth = await authenticate(request)
    page = read_page(request)
    async with request.app.state.sessions() as session:
        owned = await _owned(request, session, auth, "list_id")
        rows, shown = await reading.list_timeline(session, owned, page)
        return await statuses_json(request, session, shown, owned.owner_id,
                                   link_header(request, [p.id for p in rows]))
