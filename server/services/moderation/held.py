"""The moderators' queue of posts the patient-privacy guard held (policy `hold`; server.services.posts.authoring
writes the rows). A moderator approves an item (a new post is then published exactly as any new post is:
fan-out, streams, notifications, delivery; a kept edit is applied as the author wrote it) or rejects it
(a new post is deleted, a kept edit dropped; the author gets a notice with the reason, which they may
appeal). Nobody decides their own post. Each decision goes into the audit log with the kinds of
identifiers found, never their text.
The caller commits, then wakes the delivery queue.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from moderation.reports import ModerationAction
from server.db.models import Actor, HeldPost, Post
from server.db.models.posts import HELD
from server.db.poll_json import poll_json, read_poll
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.moderation import audit, roles
from server.services.moderation.actions import notice
from server.services.posts import authoring as post_service


def queue_query() -> Select:
    """The pending items (page it by HeldPost.id)."""
    return select(HeldPost)


async def find(session: AsyncSession, held_id: int) -> tuple[HeldPost, Post]:
    held = await session.get(HeldPost, held_id)
    post = await session.get(Post, held.post_id) if held is not None else None
    if held is None or post is None:
        raise ServiceError(N_("no such held post"), Kind.NOT_FOUND)
    return held, post


async def held_for(session: AsyncSession, post_ids: list[int]) -> dict[int, HeldPost]:
    """The queue items of these posts, by post id."""
    if not post_ids:
        return {}
    rows = await session.execute(select(HeldPost).where(HeldPost.post_id.in_(post_ids)))
    return {h.post_id: h for h in rows.scalars()}


def _summary(held: HeldPost, post: Post) -> dict:
    kinds = Counter(f.get("kind", "?") for f in held.findings or [] if isinstance(f, dict))
    return {"post": post.uri, "account": post.author.uri, "kind": held.kind, "findings": dict(kinds)}


def _restart_poll_clock(post: Post, now: datetime) -> None:
    """A poll held for a while still runs as long as its author asked, counted from publication."""
    poll = read_poll(post.poll)
    if poll is None or poll.expires_at is None:
        return
    post.poll = poll_json(replace(poll, expires_at=(now + (poll.expires_at - post.published)).replace(microsecond=0)))


async def approve(runtime: Runtime, session: AsyncSession, moderator: Actor | None, held_id: int, *,
                  by: str | None = None) -> Post:
    """Publish the held post, or apply the kept edit; `by` names a non-member decider (``cli``)."""
    held, post = await find(session, held_id)
    await roles.check_decision(session, moderator, (post.author_id,), "a held post")
    summary = _summary(held, post)
    if held.kind == "post":
        now = utcnow()
        _restart_poll_clock(post, now)
        post.visibility, post.published = held.visibility, now
        await session.delete(held)
        await session.flush()
        await post_service.publish(runtime, session, post)
    else:
        try:
            await post_service.edit_post(runtime, session, post.author, post.id,
                                         post_service.new_post_from_json(held.edit or {}), reviewed=True)
        except (ServiceError, KeyError, TypeError, ValueError) as exc:
            raise ServiceError(N_("the edit can no longer be applied (%(problem)s); reject it"),
                               values={"problem": exc if isinstance(exc, ServiceError) else str(exc)}) from None
    await audit.record(session, moderator, "held.approve", "post", post.uri, "", summary, by=by)
    return post


async def reject(runtime: Runtime, session: AsyncSession, moderator: Actor | None, held_id: int, reason: str, *,
                 by: str | None = None) -> Post:
    """Delete the held post (never federated, so nothing to tell other servers), or drop the kept edit;
    the author is told why in a moderation notice."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("a rejection needs a reason: the author is told it"))
    # Before any write: it may create the instance actor in a transaction of its own.
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, runtime.settings.domain)
    held, post = await find(session, held_id)
    await roles.check_decision(session, moderator, (post.author_id,), "a held post")
    summary, author = _summary(held, post), post.author
    await session.delete(held)
    await session.flush()
    if post.visibility == HELD:
        await post_service.delete_post(runtime, session, author, post.id)
        action = ModerationAction.DELETE_POST
    else:
        action = ModerationAction.WARN  # the edit is dropped; the post stays as it was
    await notice(session, instance, moderator, author, action, None, [post], reason)
    await audit.record(session, moderator, "held.reject", "post", post.uri, reason, summary, by=by)
    return post
