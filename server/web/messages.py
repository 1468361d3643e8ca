"""Private messages: /messages lists the member's direct conversations (server.services.reading.conversations,
as the client API lists them), /messages/{id} opens one at its thread and marks it read, and
/messages/new writes a direct post through the same posting service as /compose, so the
patient-privacy guard screens it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.fulltext import plain_text
from server.i18n import N_, gettext
from server.services.posts import authoring as post_service
from server.services.reading import conversations
from server.services.reading.timelines import Page
from server.services.social import lookup
from server.web.forms import because
from server.web.page import Web, error_page
from server.web.phi_marks import guard_answer
from server.web.status_view import account_card, roll_back, status_card, viewer_actor, when
from server.web.threads import post_id_of
from server.web.timelines import page_of

PAGE_SIZE = 20
MAX_RECIPIENTS = 10
EXCERPT_CHARS = 140
HANDLE = re.compile(r"@?([A-Za-z0-9_][A-Za-z0-9_.\-]*)(?:@([A-Za-z0-9.\-]+(?::\d+)?))?")
LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.\-]+(?:@[\w.\-:]+)?)+\s*")
INLINE_TAG = re.compile(r"</?(?:a|span)\b[^>]*>", re.I)  # mentions are links of spans: "@<span>bob</span>"
NOTICES = {"hidden": N_("The conversation is hidden. It comes back when someone writes in it again.")}


def _notice(web: Web) -> str:
    found = NOTICES.get(web.request.query_params.get("notice", ""))
    return gettext(found) if found else ""  # gettext("") would be the catalog's header


def excerpt(entity: dict) -> str:
    """A line of the last message: its content warning if it has one, else its text without the
    mentions that open every direct post."""
    if entity.get("spoiler_text"):
        return "Content warning: " + entity["spoiler_text"]
    text = " ".join(plain_text(None, INLINE_TAG.sub("", entity.get("content") or "")).split())
    text = LEADING_MENTIONS.sub("", text) or text
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1].rstrip() + "…"


def _card(entity: dict, viewer_id: str) -> dict:
    status = status_card(entity["last_status"], viewer_id)
    return {"id": entity["id"], "unread": entity["unread"], "accounts": [account_card(a) for a in entity["accounts"]],
            "status": status, "excerpt": excerpt(entity["last_status"]), "mine": status["own"],
            "when": when(entity["last_status"]["created_at"]), "created_at": entity["last_status"]["created_at"]}


async def messages(web: Web) -> Response:
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    me = viewer_actor(web)
    max_id = min(page.max_id, conversations.MAX_ID) if page.max_id is not None else None
    rows, shown = await conversations.listing(web.db, me.id, Page(max_id, None, None, PAGE_SIZE))
    entities = await conversations.render(web.db, shown, me.id, web.runtime.urls, web.settings.domain)
    older = None
    if len(rows) == PAGE_SIZE:
        older = "/messages?" + urlencode({"max_id": min(r.last_status_id for r in rows)})
    return web.render("messages/index.html", items=[_card(e, str(me.id)) for e in entities], older=older,
                      notice=_notice(web))


async def open_conversation(web: Web) -> Response:
    """Marks the conversation read and shows its thread at the last message (the thread page's reply
    form answers it, as direct)."""
    conversation_id = post_id_of(web.request.path_params["id"])
    me = viewer_actor(web)
    found = None if conversation_id is None else await conversations.mark_read(web.db, me.id, conversation_id)
    if found is None:
        return error_page(web, 404, gettext("There is no such conversation."))
    await web.db.commit()
    return web.redirect(f"/statuses/{found.last_status.id}")


async def hide(web: Web) -> Response:
    conversation_id = post_id_of(web.request.path_params["id"])
    if conversation_id is None or not await conversations.hide(web.db, viewer_actor(web).id, conversation_id):
        return error_page(web, 404, gettext("There is no such conversation."))
    await web.db.commit()
    return web.redirect("/messages?notice=hidden")


@dataclass
class Draft:
    to: str = ""
    text: str = ""
    spoiler_text: str = ""


def handles(raw: str) -> list[str] | None:
    """The recipients as written ('bob', '@bob', 'bob@other.example', separated by spaces or commas);
    None when one of them is not a handle."""
    out = []
    for part in re.split(r"[\s,;]+", raw.strip()):
        if not part:
            continue
        match = HANDLE.fullmatch(part)
        if match is None:
            return None
        out.append(match.group(1) + (f"@{match.group(2)}" if match.group(2) else ""))
    return list(dict.fromkeys(out))


async def _recipients(web: Web, draft: Draft) -> tuple[list[str], str]:
    """(the recipients' handles as the post mentions them, an error for the member or "")."""
    wanted = handles(draft.to)
    if wanted is None:
        return [], "Write each recipient as a handle, such as @colleague or @colleague@other.example."
    if not wanted:
        return [], "Add at least one recipient."
    if len(wanted) > MAX_RECIPIENTS:
        return [], f"A message goes to at most {MAX_RECIPIENTS} people."
    found = []
    for handle in wanted:
        actor = await lookup.find_acct(web.runtime, web.db, handle, resolve=True)
        if actor is None:
            return [], f"No one is known as @{handle}. Check the handle (for another server: @name@server)."
        found.append(actor.username if actor.local else actor.acct)
    return found, ""


def _page(web: Web, draft: Draft, status: int = 200, **extra) -> Response:
    return web.render("messages/new.html", status=status, draft=draft, max_chars=post_service.MAX_CHARS, **extra)


async def new_message(web: Web) -> Response:
    if web.request.method == "GET":
        to = web.request.query_params.get("to", "")
        return _page(web, Draft(to=to if handles(to) else ""))
    draft = Draft(to=web.value("to"), text=web.value("status"), spoiler_text=web.value("spoiler_text").strip())
    recipients, error = await _recipients(web, draft)
    if not error and not draft.text.strip():
        error = "Write a message."
    if error:
        return _page(web, draft, 422, error=error)
    text = " ".join("@" + r for r in recipients) + " " + draft.text
    new = post_service.NewPost(text=text, visibility="direct", spoiler_text=draft.spoiler_text,
                               phi_confirmed=web.value("phi_confirmed") == "1")
    try:
        post = await post_service.create_post(web.runtime, web.db, viewer_actor(web), new)
    except post_service.PhiFound as exc:
        await roll_back(web)
        texts = [("Message", text), ("Content warning", draft.spoiler_text)]
        return _page(web, draft, 422, phi=guard_answer(texts, exc.decision, "send"))
    except ServiceError as exc:
        await roll_back(web)
        return _page(web, draft, 422, error=because("The message was not sent: %(reason)s.", exc))
    await web.db.commit()
    if post.visibility == "held":
        return _page(web, Draft(), 202, held=True)
    return web.redirect(f"/statuses/{post.id}")
