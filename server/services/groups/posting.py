"""A member starts a thread in a group (here or elsewhere) or replies in one, as from the web UI's forms.

Both are ordinary posts written by server.services.posts.authoring (so the patient-privacy guard, its
warn / hold / block policy and the relay apply exactly as to any post): a thread is a public post that names the
group, posted as a titled Page (its title the Page's `name`, as Lemmy's threads and our cases are), kept with its
title as the group's thread; in a members-only group it stays on the instance, as authoring
decides. A group here refuses up front whom the relay would not take, with the reason."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.errors import Kind, ServiceError
from server.db.models import Actor, GroupPost, Post
from server.i18n import N_
from server.runtime import Runtime
from server.services.groups import joining, registry, relay, states
from server.services.groups.browsing import MAX_TITLE, Listing
from server.services.posts import authoring

MAX_BODY = authoring.MAX_CHARS - 100  # room for the group's mention


@dataclass(frozen=True)
class NewThread:
    title: str
    body: str
    phi_confirmed: bool = False


def thread_text(listing: Listing, new: NewThread) -> str:
    """The post's text: the body and the mention that addresses the group (the title is the Page's own)."""
    return f"{new.body.strip()}\n\n@{listing.handle}"


def _check(new: NewThread) -> None:
    if not 0 < len(new.title.strip()) <= MAX_TITLE:
        raise ServiceError(N_("a thread needs a title of 1-%(limit)s characters"), values={"limit": MAX_TITLE})
    if not new.body.strip():
        raise ServiceError(N_("a thread needs some text"))
    if len(new.body) > MAX_BODY:
        raise ServiceError(N_("a thread's text is at most %(limit)s characters"), values={"limit": MAX_BODY})


async def may_start(runtime: Runtime, session: AsyncSession, listing: Listing, author: Actor) -> None:
    """Raise a ServiceError (forbidden) saying why the author may not start a thread in a group here."""
    group = listing.group
    if group is None:
        return  # a group elsewhere decides for itself
    if group.posting_restricted_to_mods and not await registry.moderates(session, group, author):
        raise ServiceError(N_("only the group's moderators start threads in it"), Kind.FORBIDDEN)
    allowed = await joining.may_post(runtime, session, group, author)
    if allowed.refused:
        raise ServiceError(N_("you may not post in this group: %(reason)s"), Kind.FORBIDDEN,
                           values={"reason": allowed.as_error()})


async def start_thread(runtime: Runtime, session: AsyncSession, author: Actor, listing: Listing,
                       new: NewThread) -> Post:
    """Post a new thread in the group; authoring.PhiFound when the guard asks or refuses. The caller commits."""
    _check(new)
    await may_start(runtime, session, listing, author)
    post = await authoring.create_post(runtime, session, author, authoring.NewPost(
        text=thread_text(listing, new), title=new.title.strip(), visibility="public", phi_confirmed=new.phi_confirmed))
    if listing.group is not None:  # the relay kept it as the group's thread (unless it is held): its title
        await session.execute(update(GroupPost).where(
            GroupPost.group_id == listing.group.actor_id, GroupPost.post_id == post.id,
            GroupPost.thread_id == post.id).values(title=new.title.strip()))
    return post


async def may_reply(session: AsyncSession, parent: Post, author: Actor) -> None:
    """Refuse up front, with the reason, a reply the group's relay would not take: in a locked thread, or from
    one banned from the group (the post would otherwise be stored and shown without being the group's)."""
    if await relay.locked_thread(session, parent.id):
        raise ServiceError(N_("the thread is locked: it takes no new replies"), Kind.FORBIDDEN)
    for group, _ in await relay.holding(session, parent.id):
        if await states.is_banned(session, group.actor_id, author.id):
            raise ServiceError(N_("you are banned from this group"), Kind.FORBIDDEN)


async def reply(runtime: Runtime, session: AsyncSession, author: Actor, parent: Post, body: str, *,
                phi_confirmed: bool = False) -> Post:
    """Reply in a thread (to its first post or to a reply): a public post unless the thread's audience is
    narrower (authoring keeps a members-only thread's replies on the instance)."""
    if not body.strip():
        raise ServiceError(N_("a reply needs some text"))
    await may_reply(session, parent, author)
    return await authoring.create_post(runtime, session, author, authoring.NewPost(
        text=body, visibility="public", in_reply_to_id=parent.id, phi_confirmed=phi_confirmed))
