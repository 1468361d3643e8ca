"""Reporting from the web: /statuses/{id}/report (a post, with more of its author's recent posts if the
member picks them) and /accounts/{id}/report. Filed through server.services.moderation.reports.file_report
as POST /api/v1/reports files them, so moderators find them in /admin/reports; about a remote account the
member may have an anonymous copy sent to its server (a Flag from the instance actor)."""
from __future__ import annotations

from dataclasses import dataclass, field

from starlette.responses import Response

from federation.html import ContentError, html_to_text
from moderation.errors import ServiceError
from moderation.reports import ReportCategory
from server.db.models import Actor, Post
from server.services.moderation.reports import MAX_COMMENT, file_report, parse_category
from server.services.reading import timelines as reading
from server.services.reading.timelines import Page
from server.services.social.relationships import relationship
from server.web import profiles, status_actions
from server.web.forms import because
from server.web.page import Web, error_page
from server.web.status_view import account_cards, roll_back, viewer_actor, when
from server.web.threads import NOT_FOUND as POST_NOT_FOUND

RECENT = 20  # of the account's latest posts offered to add to the report
VIOLATION = "violation"  # Mastodon's category: it breaks the rules the member ticks
CATEGORIES = (ReportCategory.SPAM, ReportCategory.PATIENT_PRIVACY, ReportCategory.MISINFORMATION,
              ReportCategory.HARASSMENT, ReportCategory.UNPROFESSIONAL, ReportCategory.LEGAL)


@dataclass
class ReportForm:
    category: str = ""
    rule_ids: list[str] = field(default_factory=list)
    comment: str = ""
    forward: bool = False
    post_ids: list[int] = field(default_factory=list)


async def status_report(web: Web) -> Response:
    post = await status_actions.target_post(web)
    if post is None:
        return error_page(web, 404, POST_NOT_FOUND)
    return await _report(web, post.author, post, f"/statuses/{post.id}/report")


async def account_report(web: Web) -> Response:
    target = await profiles.target_account(web)
    if target is None:
        return error_page(web, 404, profiles.NOT_FOUND)
    return await _report(web, target, None, f"/accounts/{target.id}/report")


async def _report(web: Web, target: Actor, post: Post | None, here: str) -> Response:
    sent = web.request.query_params.get("sent")
    if web.request.method == "GET" and sent in ("1", "forwarded"):
        return await _sent(web, target, forwarded=sent == "forwarded")
    if web.request.method == "GET":
        return await _page(web, target, post, ReportForm(post_ids=[post.id] if post else []))
    form = _read(web)
    if not form.category:
        return await _page(web, target, post, form, 422, "Choose why you report it.")
    if form.category == VIOLATION and not form.rule_ids:
        return await _page(web, target, post, form, 422, "Tick the rules it breaks.")
    try:
        report = await file_report(web.runtime, web.db, viewer_actor(web), target, post_ids=form.post_ids,
                                   comment=form.comment, category=parse_category(form.category),
                                   rule_ids=form.rule_ids if form.category == VIOLATION else [],
                                   forward=form.forward and not target.local)
    except ServiceError as exc:
        target_id, post_id = target.id, post.id if post else None
        await roll_back(web)  # which expires them: loaded again for the page
        target, post = await web.db.get(Actor, target_id), await web.db.get(Post, post_id) if post_id else None
        return await _page(web, target, post, form, 422, because("The report was not sent: %(reason)s.", exc))
    await web.db.commit()
    return web.redirect(f"{here}?sent={'forwarded' if report.forwarded else '1'}")


def _read(web: Web) -> ReportForm:
    rules = {str(i) for i in range(1, len(web.site.rules) + 1)}
    ids = [int(v) for v in web.form.getlist("status_ids") if isinstance(v, str) and v.isdigit() and len(v) <= 19]
    category = web.value("category")
    return ReportForm(category=category if category in {VIOLATION, *(c.value for c in ReportCategory)} else "",
                      rule_ids=[r for r in web.form.getlist("rule_ids") if r in rules],
                      comment=web.value("comment").strip()[:MAX_COMMENT], forward=web.value("forward") == "1",
                      post_ids=list(dict.fromkeys(ids)))


def _excerpt(post: Post) -> str:
    try:
        text = html_to_text(post.content_html or "")
    except ContentError:
        text = ""
    text = " ".join(text.split()) or ("(images only)" if post.attachments else "(no text)")
    return text if len(text) <= 240 else text[:239] + "…"


async def _choices(web: Web, target: Actor, post: Post | None) -> list[dict]:
    """The reported post first, then the account's latest posts the member can see."""
    _, recent = await reading.account_posts(web.db, target, viewer_actor(web), Page(None, None, None, RECENT),
                                            exclude_reblogs=True)
    posts = ([post] if post else []) + [p for p in recent if post is None or p.id != post.id]
    return [{"id": p.id, "excerpt": _excerpt(p), "warning": p.summary or "",
             "this": post is not None and p.id == post.id,
             "when": when(p.published.isoformat() if p.published else None)} for p in posts]


async def _page(web: Web, target: Actor, post: Post | None, form: ReportForm, status: int = 200,
                error: str = "") -> Response:
    [account] = await account_cards(web, [target])
    categories = [(c.value, c.label) for c in CATEGORIES]
    return web.render("posts/report.html", status=status, error=error, account=account, target=target, post=post,
                      form=form, categories=categories, rules=list(enumerate(web.site.rules, 1)),
                      choices=await _choices(web, target, post), max_comment=MAX_COMMENT,
                      action=f"/statuses/{post.id}/report" if post else f"/accounts/{target.id}/report")


async def _sent(web: Web, target: Actor, forwarded: bool) -> Response:
    [account] = await account_cards(web, [target])
    rel = await relationship(web.db, viewer_actor(web), target)
    return web.render("posts/report_sent.html", account=account, target=target, relationship=rel,
                      forwarded=forwarded)
