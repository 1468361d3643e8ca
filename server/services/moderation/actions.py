"""What a moderator does about a report or an account: dismiss, delete posts, mark them
sensitive, warn, limit, suspend; the notice the member receives; their one appeal.

Every action writes the audit log in the same transaction; the caller commits (and wakes the
delivery queue: deleting a local post federates its Delete, marking it sensitive its Update).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import ServiceError
from moderation.reports import ModerationAction
from server.caches import forget_actor
from server.convert.post_to_as import update_activity
from server.db.ids import snowflake
from server.db.models import Account, AccountModeration, AccountWarning, Actor, Notification, Post, Report
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from server.services.federation.inbox.posts import remove_post
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.moderation import audit, roles
from server.services.moderation.domains import purge_actor
from server.services.moderation.reports import stamp_resolved
from server.services.posts import authoring as post_service
from server.services.posts.fanout import record_notifications
from server.services.reading import stream_events

NOTICE = "moderation_warning"  # Mastodon 4.3's notification type for a moderator's notice
REVERSIBLE = {ModerationAction.LIMIT, ModerationAction.SUSPEND, ModerationAction.MARK_SENSITIVE}


@dataclass(frozen=True)
class Outcome:
    action: ModerationAction
    warning: AccountWarning | None
    posts_affected: int


async def sanction_of(session: AsyncSession, actor: Actor) -> AccountModeration:
    row = await session.get(AccountModeration, actor.id)
    if row is None:
        row = AccountModeration(actor_id=actor.id)
        session.add(row)
    return row


async def act(runtime: Runtime, session: AsyncSession, moderator: Actor, target: Actor, action: ModerationAction, *,
              report: Report | None = None, post_ids: list[int] | None = None, text: str = "") -> Outcome:
    """Apply `action` to `target` (about `report`, if any): see the module docstring. ServiceError (FORBIDDEN) when
    server.services.moderation.roles refuses the moderator the action or the report."""
    # Before any lock or write: it may create the instance actor in a transaction of its own.
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain)
    if report is not None:
        await roles.check_decision(session, moderator, (report.reporter_id, report.target_id), "a report")
    if action is not ModerationAction.DISMISS:
        await roles.check_action(session, moderator, target, removes_admin=action is ModerationAction.SUSPEND)
    posts = await _posts(session, target, report, post_ids)
    affected = 0
    if action is ModerationAction.DELETE_POST:
        if not posts:
            raise ServiceError(N_("no posts to delete: name them in the report or in status_ids"))
        affected = await _delete_posts(runtime, session, posts)
    elif action is ModerationAction.MARK_SENSITIVE:
        affected = await _mark_sensitive(runtime, session, target, posts)
    elif action is ModerationAction.LIMIT:
        (await sanction_of(session, target)).limited_at = utcnow()
    elif action is ModerationAction.SUSPEND:
        await _suspend(session, target)
    warning = None
    if action is not ModerationAction.DISMISS:
        warning = await notice(session, instance, moderator, target, action, report, posts, text)
    if report is not None:
        stamp_resolved(report, action.value, moderator, text)
    if target.local:
        forget_actor(session, target.username)
    target_kind, target_id = ("report", str(report.id)) if report is not None else ("account", target.uri)
    await audit.record(session, moderator, f"{target_kind}.{action.value}", target_kind, target_id, text,
                       {"account": target.uri, "posts": [p.uri for p in posts] if posts else [],
                        "warning_id": warning.id if warning else None})
    return Outcome(action, warning, affected)


async def dismiss(runtime: Runtime, session: AsyncSession, moderator: Actor, report: Report, text: str = "") -> None:
    """Close `report` with no action, also when the reported account is gone."""
    target = await session.get(Actor, report.target_id) if report.target_id else None
    if target is not None:
        await act(runtime, session, moderator, target, ModerationAction.DISMISS, report=report, text=text)
        return
    await roles.check_decision(session, moderator, (report.reporter_id,), "a report")
    stamp_resolved(report, ModerationAction.DISMISS.value, moderator, text)
    await audit.record(session, moderator, "report.dismiss", "report", str(report.id), text)


async def _posts(session: AsyncSession, target: Actor, report: Report | None, ids: list[int] | None) -> list[Post]:
    wanted = ids if ids else (report.post_ids if report is not None else [])
    if not wanted:
        return []
    posts = list((await session.execute(select(Post).where(Post.id.in_(wanted)))).scalars())
    if any(p.author_id != target.id for p in posts):
        raise ServiceError(N_("the posts named are not all the reported account's"))
    return posts


async def _delete_posts(runtime: Runtime, session: AsyncSession, posts: list[Post]) -> int:
    for post in posts:
        if post.local:  # a federated Delete, as if the author had deleted it
            await post_service.delete_post(runtime, session, post.author, post.id)
        else:
            await remove_post(session, post)
    return len(posts)


async def _mark_sensitive(runtime: Runtime, session: AsyncSession, target: Actor, posts: list[Post]) -> int:
    if not posts:  # no posts named: everything they post from now on
        (await sanction_of(session, target)).sensitized_at = utcnow()
        return 0
    for post in posts:
        post.sensitive = True
        if post.local and post_service.federated(post):
            post.edited_at = utcnow()
            recipients = await post_service.audience_of(session, post, [])
            await enqueue_activity(session, update_activity(post, runtime.urls), post.author, recipients)
    return len(posts)


async def _suspend(session: AsyncSession, target: Actor) -> None:
    (await sanction_of(session, target)).suspended_at = utcnow()
    if target.local:
        account = (await session.execute(select(Account).where(Account.actor_id == target.id))).scalar_one_or_none()
        if account is not None:
            account.disabled_at = utcnow()  # no login; the notice and its appeal stay reachable
            await stream_events.access_ended(session, actor_ids=[target.id])
    else:
        await purge_actor(session, target.id)


async def notice(session: AsyncSession, instance: Actor, moderator: Actor | None, target: Actor,
                 action: ModerationAction, report: Report | None, posts: list[Post],
                 text: str) -> AccountWarning | None:
    """The member's notice of the action (a warning they may appeal once); none for remote accounts."""
    if not target.local:
        return None
    warning = AccountWarning(actor_id=target.id, report_id=report.id if report else None, action=action.value,
                             text=text, post_uris=[p.uri for p in posts],
                             created_by_id=moderator.id if moderator else None)
    session.add(warning)
    await session.flush()
    await record_notifications(session, [Notification(id=snowflake(), recipient_id=target.id, type=NOTICE,
                                                      from_actor_id=instance.id)])
    return warning


# Appeals ----------------------------------------------------------------------------------------

async def warnings_of(session: AsyncSession, *, actor_id: int | None = None, pending_appeals: bool = False,
                      limit: int = 100) -> list[AccountWarning]:
    """Notices, newest first: one account's, or those whose appeal waits for a moderator."""
    query = select(AccountWarning)
    if actor_id is not None:
        query = query.where(AccountWarning.actor_id == actor_id)
    if pending_appeals:
        query = query.where(AccountWarning.appeal_state == "pending")
    return list((await session.execute(query.order_by(AccountWarning.id.desc()).limit(limit))).scalars())


async def appeal(session: AsyncSession, member: Actor, warning_id: int, text: str) -> AccountWarning:
    """The member's one appeal against a notice."""
    warning = await session.get(AccountWarning, warning_id)
    if warning is None or warning.actor_id != member.id:
        raise ServiceError(N_("no such notice"))
    if warning.appeal_at is not None:
        raise ServiceError(N_("this notice has been appealed already; there is one appeal per notice"))
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise ServiceError(N_("an appeal needs a text of 1 to 2000 characters"))
    warning.appeal_text, warning.appeal_at, warning.appeal_state = text, utcnow(), "pending"
    await audit.record(session, member, "warning.appeal", "warning", str(warning.id), text)
    return warning


async def decide_appeal(session: AsyncSession, moderator: Actor, warning_id: int, *, approve: bool,
                        text: str = "") -> AccountWarning:
    """Approve (the action is undone where it can be) or reject a pending appeal; never one's own, and a
    moderator only a member's (an admin's sanction of a staff account is not a moderator's to undo)."""
    warning = await session.get(AccountWarning, warning_id)
    if warning is None or warning.appeal_state != "pending":
        raise ServiceError(N_("no pending appeal on this notice"))
    await roles.check_decision(session, moderator, (warning.actor_id,), "an appeal", about=warning.actor_id)
    warning.appeal_state, warning.appeal_decided_at = ("approved" if approve else "rejected"), utcnow()
    if approve:
        await _undo(session, warning)
    member = await session.get(Actor, warning.actor_id)
    if member is not None and member.local:
        forget_actor(session, member.username)
    await audit.record(session, moderator, "warning.appeal_approved" if approve else "warning.appeal_rejected",
                       "warning", str(warning.id), text, {"action": warning.action})
    return warning


async def _undo(session: AsyncSession, warning: AccountWarning) -> None:
    action = ModerationAction(warning.action)
    if action not in REVERSIBLE:
        return  # a warning needs no undoing; a deleted post cannot be brought back
    sanction = await session.get(AccountModeration, warning.actor_id)
    if action is ModerationAction.MARK_SENSITIVE and warning.post_uris:
        for post in (await session.execute(select(Post).where(Post.uri.in_(warning.post_uris)))).scalars():
            post.sensitive = False
    elif sanction is not None and action is ModerationAction.MARK_SENSITIVE:
        sanction.sensitized_at = None
    elif sanction is not None and action is ModerationAction.LIMIT:
        sanction.limited_at = None
    elif sanction is not None and action is ModerationAction.SUSPEND:
        sanction.suspended_at = None
        account = (await session.execute(
            select(Account).where(Account.actor_id == warning.actor_id))).scalar_one_or_none()
        if account is not None:
            account.disabled_at = None
