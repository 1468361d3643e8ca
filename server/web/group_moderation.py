"""A group's moderation in the web UI: the forms its moderators (and admins) post from the group and thread pages,
POST /groups/NAME/moderation/ACTION with ACTION one of remove, lock, unlock, pin, unpin, ban, unban. Each goes
through server.services.groups.moderating, exactly as the groups API does, so the checks, the audit log and what
federates are the same. A refusal shows the group page with the service's reason (its 4xx); a success goes back to
the page the form was on with a notice."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.db.ids import as_id
from server.db.models import Actor, Group, GroupPost, Post
from server.errors import status_of
from server.i18n import N_
from server.i18n import gettext as _
from server.services.groups import moderating
from server.web.forms import refusal
from server.web.group_pages import NOT_FOUND, find_group, group_page, group_path
from server.web.page import Web, error_page
from server.web.status_view import roll_back, viewer_actor

Act = Callable[[Web, Group, Actor], Awaitable[int | None]]  # returns the thread to go back to, if it remains


def _post_id(web: Web) -> int:
    post_id = as_id(web.value("post_id"))
    if post_id is None:
        raise ServiceError(N_("post_id: name a post of the group"))
    return post_id


async def _thread_of(web: Web, group: Group, post_id: int) -> int:
    row = await web.db.get(GroupPost, (group.actor_id, post_id))
    if row is None:
        raise ServiceError(N_("the group has no post %(id)s"), Kind.NOT_FOUND, values={"id": str(post_id)})
    return row.thread_id


async def _remove(web: Web, group: Group, me: Actor) -> int | None:
    post_id = _post_id(web)
    thread_id = await _thread_of(web, group, post_id)
    await moderating.remove(web.runtime, web.db, group, post_id, by=me, reason=web.value("reason"))
    return None if thread_id == post_id else thread_id  # a removed thread has no page to go back to


def _locking(locked: bool) -> Act:
    async def act(web: Web, group: Group, me: Actor) -> int:
        post_id = _post_id(web)
        await moderating.set_locked(web.runtime, web.db, group, post_id, locked, by=me, reason=web.value("reason"))
        return post_id
    return act


def _pinning(pinned: bool) -> Act:
    async def act(web: Web, group: Group, me: Actor) -> int:
        post_id = _post_id(web)
        await moderating.set_pinned(web.runtime, web.db, group, post_id, pinned, by=me)
        return post_id
    return act


async def _ban(web: Web, group: Group, me: Actor) -> int:
    """Ban the author of a post of the group (the form sits beside the post)."""
    post_id = _post_id(web)
    thread_id = await _thread_of(web, group, post_id)
    post = await web.db.get(Post, post_id)
    author = await web.db.get(Actor, post.author_id)
    await moderating.ban(web.runtime, web.db, group, author, by=me, reason=web.value("reason"))
    return thread_id


async def _unban(web: Web, group: Group, me: Actor) -> None:
    target = await web.db.get(Actor, as_id(web.value("account_id")) or 0)
    if target is None:
        raise ServiceError(N_("account_id: name a banned account"), Kind.NOT_FOUND)
    await moderating.unban(web.runtime, web.db, group, target, by=me)


ACTIONS: dict[str, tuple[Act, str]] = {  # each action and the notice (server.web.notices) its success shows
    "remove": (_remove, "group_removed"), "lock": (_locking(True), "group_locked"),
    "unlock": (_locking(False), "group_unlocked"), "pin": (_pinning(True), "group_pinned"),
    "unpin": (_pinning(False), "group_unpinned"), "ban": (_ban, "group_banned"), "unban": (_unban, "group_unbanned"),
}


async def act(web: Web) -> Response:
    """POST /groups/NAME/moderation/ACTION: `post_id` (remove, lock, unlock, pin, unpin; ban: its author),
    `account_id` (unban), `reason` (remove, lock, unlock, ban), `back` ("thread": the form was on the thread's
    page)."""
    listing = await find_group(web)
    action = ACTIONS.get(str(web.request.path_params["action"]))
    if listing is None or action is None:
        return error_page(web, 404, NOT_FOUND)
    if listing.group is None:
        return error_page(web, 403, _("A group elsewhere is moderated on its own server."))
    act_on, notice = action
    try:
        thread_id = await act_on(web, listing.group, viewer_actor(web))
    except ServiceError as exc:
        await roll_back(web)
        return await group_page(web, status=status_of(exc), error=_("Not done: %s.") % refusal(exc))
    await web.db.commit()
    path = group_path(listing)
    if web.value("back") == "thread" and thread_id is not None:
        return web.redirect(f"{path}/threads/{thread_id}?notice={notice}")
    return web.redirect(f"{path}?notice={notice}")
