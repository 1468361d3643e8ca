"""Reports: filed by members (and forwarded as a Flag), received as Flags, and resolved by
moderators, whose every action writes the audit log."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from moderation.reports import ReportCategory
from server.convert.report_to_as import report_to_flag
from server.db.ids import snowflake
from server.db.models import Actor, GroupPost, Post, Report
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.moderation import audit, roles
from server.services.social.visibility_to_viewers import may_see
from server.urls import LocalUrls

MAX_COMMENT = 5000
MAX_POSTS = 50
# Mastodon's categories, for reports from Mastodon clients and servers.
MASTODON_CATEGORIES = {"violation": ReportCategory.OTHER}


def parse_category(value: object) -> ReportCategory:
    text = str(value or "other").strip().lower()
    if text in MASTODON_CATEGORIES:
        return MASTODON_CATEGORIES[text]
    try:
        return ReportCategory(text)
    except ValueError:
        known = ", ".join(c.value for c in ReportCategory)
        raise ServiceError(N_("category must be one of %(choices)s; got %(value)s"),
                           values={"choices": known, "value": repr(text[:40])}) from None


async def file_report(runtime: Runtime, session: AsyncSession, reporter: Actor, target: Actor, *,
                      post_ids: list[int] = (), comment: str = "", category: ReportCategory = ReportCategory.OTHER,
                      rule_ids: list[str] = (), forward: bool = False) -> Report:
    """A member reports `target` (and some of its posts). With `forward` and a remote target, a Flag
    from the instance actor goes to the target's server; the caller commits and wakes deliveries."""
    if target.id == reporter.id:
        raise ServiceError(N_("you cannot report yourself"))
    # Before any write: it may create the instance actor in a transaction of its own.
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain) \
        if forward and not target.local else None
    if len(comment) > MAX_COMMENT:
        raise ServiceError(N_("the comment is at most %(limit)s characters"), values={"limit": MAX_COMMENT})
    posts = await _reported_posts(session, reporter, target, list(post_ids))
    report = Report(id=snowflake(), origin="local", reporter_id=reporter.id, target_id=target.id,
                    target_uri=target.uri, post_ids=[p.id for p in posts], post_uris=[p.uri for p in posts],
                    category=category.value, comment=comment, rule_ids=[str(r) for r in rule_ids][:20],
                    forwarded=False)
    session.add(report)
    await session.flush()
    if instance is not None:
        await forward_report(session, runtime.urls, instance, report, target, posts)
    return report


async def _reported_posts(session: AsyncSession, reporter: Actor, target: Actor, ids: list[int]) -> list[Post]:
    if len(ids) > MAX_POSTS:
        raise ServiceError(N_("a report names at most %(limit)s posts"), values={"limit": MAX_POSTS})
    posts = list((await session.execute(select(Post).where(Post.id.in_(ids)))).scalars()) if ids else []
    for post in posts:
        if post.author_id != target.id or not await may_see(session, post, reporter):
            raise ServiceError(N_("post %(id)s is not a post of the reported account you can see"),
                               values={"id": str(post.id)})
    if len(posts) != len(set(ids)):
        raise ServiceError(N_("some of the reported posts do not exist"))
    return posts


async def forward_report(session: AsyncSession, urls: LocalUrls, instance: Actor, report: Report, target: Actor,
                         posts: list[Post]) -> None:
    """Queue the Flag of `report` to the target's server, from the `instance` actor."""
    inbox = target.shared_inbox or target.inbox
    if not inbox:
        raise ServiceError(N_("%(acct)s has no inbox to forward the report to"), values={"acct": target.acct})
    remote_posts = [p.uri for p in posts if not p.local and p.author_id == target.id]
    flag = report_to_flag(report, urls, target.uri, remote_posts)
    await enqueue_activity(session, flag, instance, inboxes=[inbox])
    report.forwarded = True
    await audit.record(session, None, "report.forward", "report", str(report.id), "",
                       {"to": target.domain, "flag": flag["id"]}, by="instance")


async def receive_flag(session: AsyncSession, reporter: Actor, flag_uri: str, objects: list[str],
                       comment: str, category: str | None, local_base: str) -> Report | None:
    """Store a Flag from another server about local accounts and posts, or posts in a group hosted here (as Lemmy
    reports to the community); None if it names none of those (or was stored already). The reporter is the remote
    actor that sent it."""
    if await session.scalar(select(Report.id).where(Report.flag_uri == flag_uri)):
        return None
    uris = [u for u in objects if isinstance(u, str) and u.startswith(local_base)][:MAX_POSTS + 1]
    actors = list((await session.execute(select(Actor).where(Actor.uri.in_(uris), Actor.local.is_(True)))).scalars())
    posts = list((await session.execute(select(Post).where(Post.uri.in_(uris), Post.local.is_(True)))).scalars())
    if not actors and not posts:  # a remote post in a group hosted here: the group's moderators and ours decide
        posts = await _group_posts(session, [u for u in objects if isinstance(u, str)][:MAX_POSTS + 1])
    target = actors[0] if actors else (posts[0].author if posts else None)
    if target is None:
        return None
    posts = [p for p in posts if p.author_id == target.id]
    try:
        kind = parse_category(category)
    except ServiceError:
        kind = ReportCategory.OTHER
    report = Report(id=snowflake(), origin="remote", flag_uri=flag_uri, reporter_id=reporter.id,
                    target_id=target.id, target_uri=target.uri, post_ids=[p.id for p in posts],
                    post_uris=[p.uri for p in posts], category=kind.value, comment=(comment or "")[:MAX_COMMENT])
    session.add(report)
    await session.flush()
    return report


async def _group_posts(session: AsyncSession, uris: list[str]) -> list[Post]:
    query = select(Post).join(GroupPost, GroupPost.post_id == Post.id).where(Post.uri.in_(uris)).distinct()
    return list((await session.execute(query)).scalars())


async def assign(session: AsyncSession, report: Report, moderator: Actor | None, *, by: Actor) -> Report:
    await roles.check_decision(session, by, (report.reporter_id, report.target_id), "a report")
    report.assigned_id = moderator.id if moderator is not None else None
    await audit.record(session, by, "report.assign" if moderator else "report.unassign", "report", str(report.id))
    return report


async def reopen(session: AsyncSession, report: Report, *, by: Actor) -> Report:
    await roles.check_decision(session, by, (report.reporter_id, report.target_id), "a report")
    report.state, report.action_taken, report.action_at = "open", None, None
    await audit.record(session, by, "report.reopen", "report", str(report.id))
    return report


def report_query(*, resolved: bool | None = None, target_id: int | None = None, reporter_id: int | None = None,
                 category: str | None = None, origin: str | None = None):
    """The reports a queue lists (any of them when nothing is given)."""
    query = select(Report)
    if resolved is not None:
        query = query.where(Report.state == ("resolved" if resolved else "open"))
    for column, value in ((Report.category, category), (Report.origin, origin)):
        if value:
            query = query.where(column == value)
    for column, value in ((Report.target_id, target_id), (Report.reporter_id, reporter_id)):
        if value is not None:
            query = query.where(column == value)
    return query


async def list_reports(session: AsyncSession, *, max_id: int | None = None, limit: int = 100, **where) -> list[Report]:
    """Newest first, below `max_id`; `where`: report_query's filters."""
    query = report_query(**where)
    if max_id is not None:
        query = query.where(Report.id < max_id)
    return list((await session.execute(query.order_by(Report.id.desc()).limit(limit))).scalars())


def stamp_resolved(report: Report, action: str, moderator: Actor, comment: str) -> None:
    report.state, report.action_taken, report.action_comment = "resolved", action, comment
    report.action_by_id, report.action_at = moderator.id, utcnow()
