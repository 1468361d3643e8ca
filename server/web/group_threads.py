"""A group's threads in the web UI: the thread page with its replies nested (/groups/NAME/threads/ID for browsers,
served through server.ap.groups' negotiation with the thread's `context`), starting a thread (title and text)
and replying in one. Both forms go through the patient-privacy guard as the compose page does: under the warn
policy the findings are shown in the author's text with an explicit confirm button; hold and block as compose."""
from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import as_id
from server.db.models import Post
from server.errors import status_of
from server.i18n import gettext as _
from server.i18n import pgettext
from server.services.groups import browsing, posting, registry
from server.services.posts import authoring
from server.services.reading import timelines as reading
from server.web import case_views
from server.web.forms import refusal, sentence
from server.web.group_pages import NOT_FOUND, ThreadDraft, ago, find_group, group_page, group_path
from server.web.notices import notice as notice_of
from server.web.page import Web, error_page
from server.web.phi_marks import guard_answer
from server.web.status_view import roll_back, status_cards, viewer_actor

NO_THREAD = "There is no such thread in this group, or it is not visible to you."


def _draft(web: Web) -> ThreadDraft:
    return ThreadDraft(title=web.value("title"), body=web.value("status"), in_reply_to_id=web.value("in_reply_to_id"))


def _confirmed(web: Web) -> bool:
    return web.value("phi_confirmed") == "1"


def thread_path(listing: browsing.Listing, thread_id: int) -> str:
    return f"{group_path(listing)}/threads/{thread_id}"


async def _thread(web: Web) -> tuple[browsing.Listing | None, browsing.Thread | None]:
    listing = await find_group(web)
    thread_id = as_id(str(web.request.path_params["thread_id"]))
    if listing is None or thread_id is None:
        return listing, None
    return listing, await browsing.thread(web.db, listing, thread_id, viewer_actor(web))


async def thread_page(web: Web, *, status: int = 200, draft: ThreadDraft | None = None, **extra) -> Response:
    """The thread: its first post, then the replies as a tree; the reply form answers `?reply_to=ID` (a post of
    the thread) or the first post."""
    try:
        listing, thread = await _thread(web)
    except reading.MembersOnly as exc:
        return error_page(web, 404, sentence(exc))
    if listing is None or thread is None:
        return error_page(web, 404, NOT_FOUND if listing is None else NO_THREAD)
    cards = {card["id"]: card for card in await status_cards(web, thread.posts, "thread")}
    if draft is None:
        wanted = web.request.query_params.get("reply_to", "")
        in_thread = wanted if any(str(p.id) == wanted for p in thread.posts) else str(thread.first.id)
        draft = ThreadDraft(in_reply_to_id=in_thread)
    replying_to = cards.get(draft.in_reply_to_id)
    case = await case_views.case_context(web, listing, thread, cards)
    if case["case"] is not None and case["case"].resolved:
        thread = replace(thread, marks=replace(thread.marks, resolved=True))
    group = listing.group
    may_moderate = bool(group and web.viewer and await registry.may_moderate(web.db, group, web.viewer))
    extra.setdefault("notice", notice_of(web))
    return web.render("groups/thread.html", status=status, listing=listing, thread=thread, cards=cards, **case,
                      may_moderate=may_moderate,
                      first=cards.get(str(thread.first.id)), draft=draft, replying_to=replying_to,
                      path_of_group=group_path(listing), path_of_thread=thread_path(listing, thread.first.id),
                      max_chars=authoring.MAX_CHARS, ago=ago, **extra)


async def start_thread(web: Web) -> Response:
    """POST /groups/NAME/threads: `title`, `status` (the text), `phi_confirmed`."""
    listing = await find_group(web)
    if listing is None:
        return error_page(web, 404, NOT_FOUND)
    draft = _draft(web)
    new = posting.NewThread(draft.title, draft.body, phi_confirmed=_confirmed(web))
    checked_text = posting.thread_text(listing, new)  # read now: a rollback expires the group's row
    try:
        post = await posting.start_thread(web.runtime, web.db, viewer_actor(web), listing, new)
    except authoring.PhiFound as exc:
        await roll_back(web)
        # the guard's order: text, content warning (none), then the Page's title
        phi = guard_answer([(_("Thread"), checked_text), ("", ""), (_("Title"), new.title.strip())], exc.decision)
        return await group_page(web, status=422, draft=draft, phi=phi)
    except ServiceError as exc:
        await roll_back(web)
        return await group_page(web, status=status_of(exc), draft=draft, error=_("The thread was not started: %s.")
                                % refusal(exc))
    await web.db.commit()
    if post.visibility == "held":
        return await group_page(web, status=202, notice=_("Your thread awaits review: this community's moderators "
                                                          "check posts that may identify a patient."))
    return web.redirect(thread_path(listing, post.id) if listing.group else f"/statuses/{post.id}")


def _parent(thread: browsing.Thread, raw: str) -> Post | None:
    return next((p for p in thread.posts if str(p.id) == raw), None)


async def reply(web: Web) -> Response:
    """POST /groups/NAME/threads/ID/reply: `status` (the text), `in_reply_to_id` (a post of the thread),
    `phi_confirmed`."""
    try:
        listing, thread = await _thread(web)
    except reading.MembersOnly as exc:
        return error_page(web, 404, sentence(exc))
    if listing is None or thread is None:
        return error_page(web, 404, NOT_FOUND if listing is None else NO_THREAD)
    draft = _draft(web)
    parent = _parent(thread, draft.in_reply_to_id)
    if parent is None:
        return await thread_page(web, status=422, error=_("The post you reply to is not in this thread."))
    try:
        post = await posting.reply(web.runtime, web.db, viewer_actor(web), parent, draft.body,
                                   phi_confirmed=_confirmed(web))
    except authoring.PhiFound as exc:
        await roll_back(web)
        phi = guard_answer([(pgettext("text field", "Reply"), draft.body)], exc.decision)
        return await thread_page(web, status=422, draft=draft, phi=phi)
    except ServiceError as exc:
        await roll_back(web)
        return await thread_page(web, status=status_of(exc), draft=draft,
                                 error=_("The reply was not sent: %s.") % refusal(exc))
    await web.db.commit()
    if post.visibility == "held":
        return await thread_page(web, status=202, notice=_("Your reply awaits review: this community's moderators "
                                                           "check posts that may identify a patient."))
    return web.redirect(f"{thread_path(listing, thread.first.id)}#s-{post.id}")
