"""Scheduled posts (Mastodon's scheduled statuses): a member's post kept until its time, then published by the
worker as if she posted it then.

The privacy guard screens a scheduled post when it is submitted (refused, or to be confirmed, exactly as a post
is; under the hold policy it is accepted and held when published) and again when it is published, under the
policy then in force: a post the guard now refuses or asks to confirm is not published, and its author gets a
moderation notice saying why (the kinds of identifiers found, never their text).

A due post is claimed by deleting its row in the transaction that publishes it, so that of several workers
exactly one publishes it, and a publication that fails leaves the row for the next round.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from moderation.reports import ModerationAction
from server.db.ids import snowflake
from server.db.models import Account, Actor, MediaAttachment, Post, ScheduledPost
from server.db.types import utcnow
from server.i18n import N_, format_datetime, use_locale
from server.i18n.text import filled
from server.runtime import Runtime
from server.services.accounts.preferences import mail_locale
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.moderation.actions import notice
from server.services.posts import authoring
from server.services.posts import media as media_service
from server.services.posts.phi_kinds import kind_label
from server.services.reading.timelines import Page

log = logging.getLogger("curbside.scheduling")
MIN_AHEAD = timedelta(minutes=5)  # as Mastodon: sooner is refused, a time already past posts now
MAX_PENDING = 300  # per member, as Mastodon
BATCH = 100


def check_time(at: datetime, now: datetime | None = None) -> None:
    if at < (now or utcnow()) + MIN_AHEAD:
        raise ServiceError("scheduled_at must be at least 5 minutes in the future")


async def schedule(runtime: Runtime, session: AsyncSession, author: Actor, new: authoring.NewPost,
                   at: datetime) -> ScheduledPost:
    """Keep the post for `at` (the caller commits); raises as posting it now would (authoring.PhiFound too)."""
    check_time(at)
    pending = await session.scalar(select(func.count()).select_from(ScheduledPost)
                                   .where(ScheduledPost.author_id == author.id))
    if pending >= MAX_PENDING:
        raise ServiceError(f"at most {MAX_PENDING} posts can wait for their time")
    await authoring.reply_parent(session, author, new.in_reply_to_id)
    _, uploads, decision = await authoring.checked(runtime, session, author, new)
    confirmed = new.phi_confirmed or (decision.action == "allow" and bool(decision.findings))  # sent again
    row = ScheduledPost(id=snowflake(), author_id=author.id, scheduled_at=at, created_at=utcnow(),
                        params=authoring.new_post_json(replace(new, phi_confirmed=confirmed)))
    session.add(row)
    await session.flush()
    await media_service.reserve(session, uploads, row.id)
    return row


def listing_query(author: Actor, page: Page):
    return page.apply(select(ScheduledPost).where(ScheduledPost.author_id == author.id), ScheduledPost.id)


async def own(session: AsyncSession, author: Actor, scheduled_id: int) -> ScheduledPost:
    row = await session.get(ScheduledPost, scheduled_id)
    if row is None or row.author_id != author.id:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return row


async def uploads_of(session: AsyncSession, rows: list[ScheduledPost]) -> dict[int, list[MediaAttachment]]:
    """The uploads each scheduled post keeps, by its id, in the order its author gave them."""
    query = select(MediaAttachment).where(MediaAttachment.scheduled_id.in_([r.id for r in rows]))
    found = {m.id: m for m in (await session.execute(query)).scalars()} if rows else {}
    return {r.id: [found[int(m)] for m in r.params.get("media_ids") or () if int(m) in found] for r in rows}


async def reschedule(session: AsyncSession, author: Actor, scheduled_id: int, at: datetime) -> ScheduledPost:
    row = await own(session, author, scheduled_id)
    check_time(at)
    row.scheduled_at = at
    await session.flush()
    return row


async def cancel(session: AsyncSession, author: Actor, scheduled_id: int) -> None:
    row = await own(session, author, scheduled_id)
    await media_service.release(session, row.id)
    await session.delete(row)
    await session.flush()


async def _claim(session: AsyncSession, scheduled_id: int) -> ScheduledPost | None:
    """The due row, deleted in this transaction: None if another worker has it."""
    row = await session.get(ScheduledPost, scheduled_id)
    if row is None:
        return None
    claimed = await session.execute(delete(ScheduledPost).where(ScheduledPost.id == scheduled_id)
                                    .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    await media_service.release(session, scheduled_id)
    return row


async def _publish_one(runtime: Runtime, scheduled_id: int) -> Post | None:
    async with runtime.sessions() as session:
        row = await _claim(session, scheduled_id)
        if row is None:
            return None
        author = await session.get(Actor, row.author_id)
        try:
            post = await authoring.create_post(runtime, session, author, authoring.new_post_from_json(row.params))
        except ServiceError as refused:
            await session.rollback()
            await _refused(runtime, scheduled_id, refused)
            return None
        await session.commit()
        return post


async def _refused(runtime: Runtime, scheduled_id: int, refused: ServiceError) -> None:
    """The post cannot be published as it is now: dropped, and its author told why in a notice."""
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain)
    async with runtime.sessions() as session:
        row = await _claim(session, scheduled_id)
        if row is None:
            return
        author = await session.get(Actor, row.author_id)
        account = await session.scalar(select(Account).where(Account.actor_id == author.id))
        with use_locale(mail_locale(account, runtime.settings) if account else runtime.settings.default_locale):
            text = _refusal_text(row, refused)
        await notice(session, instance, None, author, ModerationAction.DELETE_POST, None, [], text)
        await session.commit()
    log.info("scheduled post %s of %s not published: %s", scheduled_id, row.author_id, type(refused).__name__)


def _refusal_text(row: ScheduledPost, refused: ServiceError) -> str:
    """The notice's text, in the language of the current locale (the author's: see _refused)."""
    values: dict[str, object] = {"when": format_datetime(row.scheduled_at, "short")}
    if isinstance(refused, authoring.PhiFound):
        values["kinds"] = ", ".join(sorted({kind_label(f.kind) for f in refused.decision.findings}))
        message = (N_("Your post scheduled for %(when)s UTC was not published: it may identify a patient "
                      "(%(kinds)s) and this community's privacy policy now refuses such posts. Its uploads are "
                      "kept for a day.") if refused.decision.action == "reject" else
                   N_("Your post scheduled for %(when)s UTC was not published: it may identify a patient "
                      "(%(kinds)s) and this community's privacy policy now asks to confirm such posts. Its "
                      "uploads are kept for a day."))
    else:
        message = N_("Your post scheduled for %(when)s UTC was not published: %(reason)s. Its uploads are kept "
                     "for a day.")
        values["reason"] = refused
    return filled(message, values)


async def publish_due(runtime: Runtime, now: datetime | None = None) -> int:
    """Publish the scheduled posts whose time has come (a batch), each in its own transaction; returns how many."""
    due = select(ScheduledPost.id).where(ScheduledPost.scheduled_at <= (now or utcnow()))
    async with runtime.sessions() as session:
        ids = list((await session.execute(due.order_by(ScheduledPost.scheduled_at).limit(BATCH))).scalars())
    published = 0
    for scheduled_id in ids:
        published += await _publish_one(runtime, scheduled_id) is not None
    return published
