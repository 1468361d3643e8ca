"""/api/v1/admin/reports (Mastodon's shapes) and moderator actions: on a report
(POST .../{id}/action, Curbside's actions), on an account (POST /api/v1/admin/accounts/{id}/action,
Mastodon's), decisions on appeals, and the audit log (GET /api/v1/admin/audit_log)."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import ServiceError
from moderation.reports import ModerationAction
from server.api.mastodon.common import not_found, path_id
from server.api.mastodon.paging import id_param, int_param, link_header, read_page
from server.api.mastodon.params import Params, flag, query, read_params
from server.api.mastodon.reports import warning_to_json
from server.api.mastodon.staff import staff
from server.convert.moderation_to_mastodon import admin_account, report_to_admin
from server.db.models import Actor, Report
from server.services.moderation import actions, audit
from server.services.moderation import reports as report_service
from server.services.moderation.report_views import report_views
from server.services.reading.page_views import render_accounts, render_statuses

READ, WRITE = "admin:read:reports", "admin:write:reports"
# Mastodon's account actions, as Curbside's.
ACCOUNT_ACTIONS = {"none": ModerationAction.WARN, "sensitive": ModerationAction.MARK_SENSITIVE,
                   "disable": ModerationAction.SUSPEND, "silence": ModerationAction.LIMIT,
                   "suspend": ModerationAction.SUSPEND}


async def _render(request: Request, session, reports: list[Report]) -> list[dict]:
    urls, domain = request.app.state.urls, request.app.state.settings.domain
    views = await report_views(session, reports)
    entities = {int(e["id"]): e for e in await render_accounts(session, list(views.actors.values()), urls, domain)}
    accounts = {i: admin_account(a, entities.get(i), views.sanctions.get(i), views.members.get(i))
                for i, a in views.actors.items()}
    return [report_to_admin(report, accounts, await render_statuses(session, views.posts[report.id], None, urls,
                                                                    domain)) for report in reports]


async def index(request: Request) -> JSONResponse:
    await staff(request, READ)
    page = read_page(request, default=100, maximum=200)
    resolved, given = request.query_params.get("resolved"), query(request)
    reports = report_service.report_query(resolved=None if resolved in (None, "") else flag(resolved),
                                          reporter_id=given.id("account_id"), target_id=given.id("target_account_id"))
    async with request.app.state.sessions() as session:
        rows = page.arrange(list((await session.execute(page.apply(reports, Report.id))).scalars()))
        return JSONResponse(await _render(request, session, rows), headers=link_header(request, [r.id for r in rows]))


async def _report(session, request: Request) -> Report:
    report = await session.get(Report, path_id(request))
    if report is None:
        raise not_found()
    return report


async def show(request: Request) -> JSONResponse:
    await staff(request, READ)
    async with request.app.state.sessions() as session:
        return JSONResponse((await _render(request, session, [await _report(session, request)]))[0])


def _change(work):
    async def handler(request: Request) -> JSONResponse:
        auth = await staff(request, WRITE)
        params = await read_params(request)
        state = request.app.state
        async with state.sessions() as session:
            report = await _report(session, request)
            me = await session.get(Actor, auth.account.actor_id)
            await work(state.runtime, session, report, me, params)
            await session.commit()
            return JSONResponse((await _render(request, session, [report]))[0])
    return handler


async def _act(runtime, session, report: Report, me: Actor, params: Params) -> None:
    try:
        action = ModerationAction(params.text("type") or "")
    except ValueError:
        known = ", ".join(a.value for a in ModerationAction)
        raise ServiceError(f"type must be one of {known}") from None
    target = await session.get(Actor, report.target_id) if report.target_id else None
    if target is None:
        raise ServiceError("the reported account is gone; dismiss the report")
    await actions.act(runtime, session, me, target, action, report=report,
                      post_ids=params.ids("status_ids") or None, text=params.text("text") or "")


action = _change(_act)
resolve = _change(lambda rt, s, report, me, p: actions.dismiss(rt, s, me, report, p.text("text") or ""))
assign_to_self = _change(lambda rt, s, report, me, p: report_service.assign(s, report, me, by=me))
unassign = _change(lambda rt, s, report, me, p: report_service.assign(s, report, None, by=me))
reopen = _change(lambda rt, s, report, me, p: report_service.reopen(s, report, by=me))


async def account_action(request: Request) -> JSONResponse:
    """Mastodon's POST /api/v1/admin/accounts/:id/action: none|sensitive|disable|silence|suspend."""
    auth = await staff(request, "admin:write:accounts")
    params = await read_params(request)
    kind = params.text("type") or "none"
    if kind not in ACCOUNT_ACTIONS:
        raise HTTPException(422, f"type must be one of {', '.join(ACCOUNT_ACTIONS)}")
    state = request.app.state
    async with state.sessions() as session:
        me = await session.get(Actor, auth.account.actor_id)
        target = await session.get(Actor, path_id(request))
        if target is None:
            raise not_found()
        report_id = params.id("report_id")
        report = await session.get(Report, report_id) if report_id is not None else None
        await actions.act(state.runtime, session, me, target, ACCOUNT_ACTIONS[kind], report=report,
                          text=params.text("text") or "")
        await session.commit()
    return JSONResponse({})


def _decide(approve: bool):
    async def handler(request: Request) -> JSONResponse:
        auth = await staff(request, "admin:write:accounts")
        params = await read_params(request)
        async with request.app.state.sessions() as session:
            me = await session.get(Actor, auth.account.actor_id)
            warning = await actions.decide_appeal(session, me, path_id(request), approve=approve,
                                                  text=params.text("text") or "")
            await session.commit()
            return JSONResponse(warning_to_json(warning))
    return handler


approve_appeal, reject_appeal = _decide(True), _decide(False)


async def audit_log(request: Request) -> JSONResponse:
    await staff(request, "admin:read", admin_only=False)
    given = query(request)
    async with request.app.state.sessions() as session:
        rows = await audit.entries(session, action=given.text("action") or None, target=given.text("target") or None,
                                   limit=int_param(request, "limit", 100, 500), max_id=id_param(request, "max_id"))
        return JSONResponse([audit.entry_to_json(e) for e in rows])
