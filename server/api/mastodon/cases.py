"""Case discussions under /api/v1/curbside/cases: open a case in a group (answered as its Status, which carries
`curbside_case`), resolve it, and list cases by state, specialty and group."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import path_id, status_json, statuses_json
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import Params, query, read_params
from server.db.models import Actor
from server.services.cases import authoring as case_service
from server.services.cases import listing, resolving
from server.services.cases.authoring import NewCase
from server.services.posts.authoring import PhiFound, remember_warning
from server.services.reading import timelines as reading


def _new_case(params: Params) -> NewCase:
    return NewCase(group=params.text("group") or "", title=params.text("title") or "",
                   question=params.text("question") or "", presentation=params.text("presentation") or "",
                   specialties=params.texts("specialties") or [], age_band=params.text("age_band"),
                   sex=params.text("sex"), deidentified=params.flag("deidentified", False) is True,
                   media_ids=tuple(params.ids("media_ids")), phi_confirmed=params.flag("phi_confirmed", False))


async def create(request: Request) -> JSONResponse:
    """POST `group`, `title`, `question`, `presentation`, `specialties[]`, `age_band`, `sex`, `deidentified`
    (true), `media_ids[]`; the guard's refusal is a 422 with `phi_findings`, each naming its field."""
    auth = await authenticate(request, "write:statuses")
    new = _new_case(await read_params(request))
    state = request.app.state
    async with state.sessions() as session:
        author = await session.get(Actor, auth.account.actor_id)
        try:
            post = await case_service.create_case(state.runtime, session, author, new)
            await session.commit()
        except PhiFound as exc:
            await remember_warning(session, author, exc)  # sending the same case again confirms it
            await session.commit()
            return JSONResponse({"error": str(exc), "phi_action": exc.decision.action,
                                 "phi_findings": case_service.case_findings(exc, new)}, status_code=422)
        return await status_json(request, session, post, author)


async def resolve(request: Request) -> JSONResponse:
    """POST with optional `answer_id`: the author or a moderator of the case's group marks it resolved."""
    auth = await authenticate(request, "write:statuses")
    params = await read_params(request)
    state = request.app.state
    async with state.sessions() as session:
        actor = await session.get(Actor, auth.account.actor_id)
        post = await resolving.resolve(state.runtime, session, actor, auth.account, path_id(request),
                                       params.id("answer_id"))
        await session.commit()
        return await status_json(request, session, post, actor)


async def _group_id(session, runtime, acct: str | None) -> int | None:
    if not acct:
        return None
    # A listing only filters: a group not known here has no cases here, so nothing is looked up elsewhere (a
    # visitor could otherwise make us WebFinger and fetch any address).
    return (await case_service.find_group(runtime, session, acct, known_only=True)).id


async def index(request: Request) -> JSONResponse:
    """GET with optional `state` (open, resolved, unanswered), `specialty`, `group`; paged with max_id, min_id,
    since_id and limit, with a Link header."""
    auth = await authenticate(request, "read:statuses", optional=True)
    params, page = query(request), read_page(request)
    state = request.app.state
    async with state.sessions() as session:
        viewer = await session.get(Actor, auth.account.actor_id) if auth else None
        try:
            await reading.admit(session, viewer)
        except reading.MembersOnly as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        wanted = listing.CaseFilter(state=params.text("state") or None, specialty=params.text("specialty") or None,
                                    group_id=await _group_id(session, state.runtime, params.text("group")))
        ids, posts = await listing.list_cases(session, viewer, wanted, page)
        return await statuses_json(request, session, posts, viewer, link_header(request, ids))
