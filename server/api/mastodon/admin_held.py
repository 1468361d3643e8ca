"""The review queue of the patient-privacy guard's `hold` policy, for moderators:
GET /api/v1/curbside/admin/held_statuses (paged like Mastodon's admin lists, newest first),
GET .../{id}, POST .../{id}/approve, POST .../{id}/reject with `reason` (the author is told it).

Each item: {id, kind ("post": a new post waiting; "edit": an edit of a published post), created_at,
account, status (the Status entity as it stands: a held post shows its intended visibility and
`curbside.held`), edit (kind "edit": the fields the author sent), phi_findings}."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.common import path_id
from server.api.mastodon.paging import link_header, read_page
from server.api.mastodon.params import read_params
from server.api.mastodon.staff import staff
from server.convert.actor_to_mastodon import iso
from server.db.models import Actor, HeldPost, Post
from server.services.moderation import held as held_queue
from server.services.reading.page_views import render_statuses

READ, WRITE = "admin:read:reports", "admin:write:reports"


async def _render(request: Request, session, items: list[HeldPost]) -> list[dict]:
    state = request.app.state
    posts = {p.id: p for p in [await session.get(Post, h.post_id) for h in items] if p is not None}
    statuses = {s["id"]: s for s in await render_statuses(session, list(posts.values()), None, state.urls,
                                                          state.settings.domain)}
    return [{"id": str(h.id), "kind": h.kind, "created_at": iso(h.created_at),
             "account": statuses[str(h.post_id)]["account"], "status": statuses[str(h.post_id)],
             "edit": h.edit if h.kind == "edit" else None, "phi_findings": h.findings or []}
            for h in items if str(h.post_id) in statuses]


async def index(request: Request) -> JSONResponse:
    await staff(request, READ)
    page = read_page(request, default=40, maximum=200)
    async with request.app.state.sessions() as session:
        rows = page.arrange(list((await session.execute(page.apply(held_queue.queue_query(), HeldPost.id))).scalars()))
        return JSONResponse(await _render(request, session, rows), headers=link_header(request, [h.id for h in rows]))


async def show(request: Request) -> JSONResponse:
    await staff(request, READ)
    async with request.app.state.sessions() as session:
        held, _ = await held_queue.find(session, path_id(request))
        return JSONResponse((await _render(request, session, [held]))[0])


def _decide(approve: bool):
    async def handler(request: Request) -> JSONResponse:
        auth = await staff(request, WRITE)
        params = await read_params(request)
        state = request.app.state
        async with state.sessions() as session:
            me = await session.get(Actor, auth.account.actor_id)
            if approve:
                post = await held_queue.approve(state.runtime, session, me, path_id(request))
            else:
                post = await held_queue.reject(state.runtime, session, me, path_id(request),
                                               params.text("reason") or params.text("text") or "")
            await session.commit()
            if not approve:
                return JSONResponse({})
            await session.refresh(post)
            rendered = await render_statuses(session, [post], None, state.urls, state.settings.domain)
            return JSONResponse(rendered[0])
    return handler


approve, reject = _decide(True), _decide(False)
