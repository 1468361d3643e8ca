"""/admin/reports: the report queue (members' reports and Flags from other servers), one report with the
posts it names, and the moderator's actions on it (server.services.moderation.actions: dismiss, delete
posts, mark sensitive, warn, limit, suspend), assignment, reopening, and decisions on appeals."""
from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import func, select
from starlette.responses import Response

from federation.html import ContentError, sanitize_html
from moderation.errors import Kind, ServiceError
from moderation.reports import ModerationAction, ReportCategory
from server.db.models import Actor, Post, Report
from server.errors import status_of
from server.i18n import N_
from server.services.moderation import actions, report_views
from server.services.moderation import reports as report_service
from server.web.admin.common import done, not_found, notice, older_link, path_id, query_id, roll_back
from server.web.forms import because, sentence
from server.web.page import Web, error_page

LIMIT = 50
STATES = {"open": False, "resolved": True, "all": None}


async def index(web: Web) -> Response:
    query = web.request.query_params
    state = query.get("state") if query.get("state") in STATES else "open"
    category = query.get("category") if query.get("category") in {c.value for c in ReportCategory} else None
    origin = query.get("origin") if query.get("origin") in ("local", "remote") else None
    reports = await report_service.list_reports(web.db, resolved=STATES[state], category=category, origin=origin,
                                                max_id=query_id(web), limit=LIMIT)
    appeals = await actions.warnings_of(web.db, pending_appeals=True) if query_id(web) is None else []
    actors = await report_views.actors_by_id(web.db, report_views.named_ids(reports) | {w.actor_id for w in appeals})
    return web.render("admin/reports.html", notice=notice(web), reports=reports, actors=actors, appeals=appeals,
                      state=state, category=category or "", origin=origin or "", categories=list(ReportCategory),
                      labels={c.value: c.label for c in ReportCategory},
                      action_labels={a.value: a.label for a in ModerationAction},
                      older=older_link(web, reports, LIMIT))


def _html(post: Post) -> Markup:
    """Stored post HTML is sanitised on the way in; cleaned once more here, as it is shown to staff."""
    try:
        return Markup(sanitize_html(post.content_html or ""))
    except ContentError as exc:
        return Markup("<p>") + f"(not shown: {exc})" + Markup("</p>")


async def _report(web: Web) -> Report | None:
    report_id = path_id(web)
    return await web.db.get(Report, report_id) if report_id else None


async def _detail(web: Web, report: Report, *, status: int = 200, error: str | None = None) -> Response:
    views = await report_views.report_views(web.db, [report])
    target, posts = views.actors.get(report.target_id), views.posts[report.id]
    found = {p.uri for p in posts}
    rules = [(rid, web.site.rules[int(rid) - 1] if rid.isdigit() and 0 < int(rid) <= len(web.site.rules) else None)
             for rid in report.rule_ids]
    others = await web.db.scalar(select(func.count()).select_from(Report).where(
        Report.target_id == report.target_id, Report.id != report.id)) if report.target_id else 0
    return web.render(
        "admin/report.html", status=status, notice=notice(web), error=error, r=report, actors=views.actors,
        target=target, posts=[(p, _html(p)) for p in posts], gone=[u for u in report.post_uris if u not in found],
        rules=rules, sanction=views.sanctions.get(report.target_id), member=views.members.get(report.target_id),
        warnings=await actions.warnings_of(web.db, actor_id=target.id, limit=10) if target else [],
        others=others, label=ReportCategory(report.category).label if report.category in
        {c.value for c in ReportCategory} else report.category,
        action_labels={a.value: a.label for a in ModerationAction}, actions=list(ModerationAction))


async def show(web: Web) -> Response:
    report = await _report(web)
    return not_found(web, N_("There is no such report.")) if report is None else await _detail(web, report)


async def _apply(web: Web, report: Report, me: Actor) -> str:
    """Run the chosen action; returns the notice key. ServiceError for a refused one."""
    name = web.value("action")
    try:
        action = ModerationAction(name)
    except ValueError:
        raise ServiceError(N_("choose one of the actions")) from None
    text = web.value("text").strip()
    if action is ModerationAction.DISMISS:
        await actions.dismiss(web.runtime, web.db, me, report, text)
        return "dismissed"
    target = await web.db.get(Actor, report.target_id) if report.target_id else None
    if target is None:
        raise ServiceError(N_("the reported account is gone; dismiss the report"))
    chosen = [int(i) for i in web.form.getlist("post") if isinstance(i, str) and i.isdigit()]
    await actions.act(web.runtime, web.db, me, target, action, report=report, post_ids=chosen or None, text=text)
    return "acted"


async def act(web: Web) -> Response:
    report = await _report(web)
    if report is None:
        return not_found(web, N_("There is no such report."))
    try:
        key = await _apply(web, report, web.viewer.actor)
    except ServiceError as exc:
        await roll_back(web, report)
        return await _detail(web, report, status=status_of(exc), error=sentence(exc))
    await web.db.commit()
    return done(web, f"/admin/reports/{report.id}", key)


def _change(work, key: str):
    async def handler(web: Web) -> Response:
        report = await _report(web)
        if report is None:
            return not_found(web, N_("There is no such report."))
        await work(web.db, report, web.viewer.actor)
        await web.db.commit()
        return done(web, f"/admin/reports/{report.id}", key)
    return handler


assign = _change(lambda db, report, me: report_service.assign(db, report, me, by=me), "assigned")
reopen = _change(lambda db, report, me: report_service.reopen(db, report, by=me), "reopened")


def appeal_decision(approve: bool):
    async def handler(web: Web) -> Response:
        warning_id = path_id(web)
        try:
            await actions.decide_appeal(web.db, web.viewer.actor, warning_id or 0, approve=approve,
                                    text=web.value("text").strip())
        except ServiceError as exc:
            await roll_back(web)
            if exc.kind is Kind.FORBIDDEN:  # the roles rule's refusal: the error page, as everywhere
                raise
            return error_page(web, 404, because("There is no such appeal: %(reason)s.", exc))
        await web.db.commit()
        return done(web, "/admin/reports#appeals", "appeal_approved" if approve else "appeal_rejected")
    return handler


approve_appeal, reject_appeal = appeal_decision(True), appeal_decision(False)
