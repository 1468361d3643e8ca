"""A case marked resolved, by its author or a moderator of its group here, with the reply that answered it (a reply
anywhere in the case's thread), and federated as an `Update` of the case: its `curbside:` properties for other
Curbsides, a line "Resolved — answer: <link>" in its content for everyone else. The author's Update goes where
the case went and the group relays it as it relays Updates; a moderator's is the group's own, to its followers."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from federation import activities
from federation.addressing import PUBLIC
from moderation.errors import Kind, ServiceError
from server.convert.case_to_as import case_to_as, resolved_line, without_resolved_line
from server.convert.post_to_as import POST_CONTEXT, post_to_note, update_activity, with_case_context
from server.db.models import Account, Actor, Case, Group, Mention, Post
from server.db.models.posts import HELD
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.cases.lookup import accepted_uri
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.groups import registry
from server.services.groups import relay as group_relay
from server.services.groups import threads as group_threads
from server.services.posts import authoring
from server.services.reading import stream_events
from server.services.social.visibility_to_viewers import may_see

MAX_DEPTH = 200  # how far up from a reply its case's first post is looked for


async def _in_thread(session, answer: Post, case_post: Post) -> bool:
    """Whether `answer` replies, directly or down a chain of replies, to the case's first post."""
    seen, parent_id = 0, answer.in_reply_to_id
    while parent_id is not None and seen < MAX_DEPTH:
        if parent_id == case_post.id:
            return True
        parent_id = await session.scalar(select(Post.in_reply_to_id).where(Post.id == parent_id))
        seen += 1
    return False


async def _may_resolve(session, case: Case, post: Post, actor: Actor, account: Account) -> Group | None:
    """None for the author; the group for one of its moderators; else a 403 saying who may."""
    if post.author_id == actor.id:
        return None
    group = await session.get(Group, case.group_id) if case.group_id else None
    if group is not None and await registry.may_moderate(session, group, account):
        return group
    raise ServiceError(N_("only the case's author or a moderator of its group may resolve it"), Kind.FORBIDDEN)


async def _answer(session, answer_id: int | None, post: Post, viewer: Actor) -> Post | None:
    if answer_id is None:
        return None
    answer = await session.get(Post, answer_id)
    if answer is None or not await may_see(session, answer, viewer) or not await _in_thread(session, answer, post):
        raise ServiceError(N_("answer_id must be a reply in the case's thread"))
    if answer.visibility == HELD:
        raise ServiceError(N_("answer_id: that reply is awaiting a moderator"))
    return answer


async def resolve(runtime: Runtime, session, actor: Actor, account: Account, post_id: int,
                  answer_id: int | None) -> Post:
    """Mark the case resolved (again: a new accepted answer), rewrite its resolved line and send its Update; the
    caller commits."""
    case, post = await session.get(Case, post_id), await session.get(Post, post_id)
    if case is None or post is None or not await may_see(session, post, actor):
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    if post.visibility == HELD:
        raise ServiceError(N_("the case is awaiting a moderator: it cannot be resolved yet"))
    moderating = await _may_resolve(session, case, post, actor, account)
    answer = await _answer(session, answer_id, post, actor)
    case.state, case.resolved_at = "resolved", utcnow()
    case.accepted_answer_id = answer.id if answer else None
    case.accepted_answer_uri = answer.uri if answer else None
    if post.local:
        post.content_html = without_resolved_line(post.content_html) + resolved_line(
            (answer.url or answer.uri) if answer else None)
        post.edited_at = case.resolved_at
    await session.flush()
    await stream_events.post_edited(session, post)
    if authoring.federated(post):
        if moderating is None:
            await _send_as_author(runtime, session, post, case)
        else:
            await _send_as_group(runtime, session, moderating, post, case)
    return post


async def _send_as_author(runtime: Runtime, session, post: Post, case: Case) -> None:
    extension = case_to_as(case, post.content_html, await accepted_uri(session, case))
    update = update_activity(post, runtime.urls, await group_threads.in_group(session, post.id), extension)
    mentioned = list((await session.execute(select(Actor).join(Mention, Mention.actor_id == Actor.id)
                                            .where(Mention.post_id == post.id))).scalars())
    await enqueue_activity(session, update, post.author, await authoring.audience_of(session, post, mentioned))
    await group_relay.relay_about(runtime, session, update, post.id, post.author)


def _addressed_as(post: Post, followers: str) -> dict[str, list[str]]:
    """The group's Update addressed as the case post is (public: to everyone; unlisted: everyone in cc)."""
    if post.visibility == "public":
        return {"to": [PUBLIC], "cc": [followers]}
    return {"to": [followers], "cc": [PUBLIC]}


async def _send_as_group(runtime: Runtime, session, group: Group, post: Post, case: Case) -> None:
    """A moderator's resolution is the group's word: the group's Update of the case (the Page as served, or for a
    case from elsewhere only its id and properties), to the group's followers and the case's author, addressed as
    the case is: only a public or unlisted case's (a narrower case's audience is not the group's to widen)."""
    if group.members_only or post.visibility not in ("public", "unlisted"):
        return
    answer = await accepted_uri(session, case)
    extension = case_to_as(case, post.content_html, answer)
    if post.local:
        page = post_to_note(post, runtime.urls, context=False, case=extension)
    else:
        page = {"id": post.uri, "type": "Page", "attributedTo": post.author.uri, "name": case.title,
                "curbside:case": extension["curbside:case"]}
    digest = hashlib.sha256(f"{post.uri} {case.resolved_at.isoformat()}".encode()).hexdigest()[:32]
    update = activities.update(f"{group.actor.uri}/activities/update/{digest}", group.actor.uri, page,
                               **_addressed_as(post, group.actor.followers_url))
    update["@context"] = with_case_context(POST_CONTEXT, runtime.urls, extension)
    recipients = await remote_followers(session, group.actor_id)
    if not post.author.local:
        recipients.append(post.author)
    await enqueue_activity(session, update, group.actor, recipients)
