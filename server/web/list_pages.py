"""Lists on the web: /lists (a member's lists; make one) and /lists/{id} (the list's timeline, its members,
adding a followed colleague by handle, renaming, its replies policy, exclusive, deleting). The same
service as the client API's (server.services.reading.lists); another member's list is "not found"."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import as_id
from server.db.models import List
from server.i18n import N_, gettext
from server.services.moderation.hidden_from_viewers import visible_actors
from server.services.reading import lists
from server.services.reading import timelines as reading
from server.services.social import lookup
from server.web.forms import sentence
from server.web.page import Web, error_page
from server.web.status_view import account_cards, roll_back, status_cards
from server.web.timelines import older_link, page_of

POLICIES = (("list", N_("Members of this list")), ("followed", N_("Anyone you follow")), ("none", N_("No one else")))
NOTICES = {"created": N_("The list is made. Add colleagues you follow below."), "saved": N_("The list is saved."),
           "added": N_("Added to the list."), "removed": N_("Removed from the list."),
           "deleted": N_("The list is deleted.")}
NOT_FOUND = N_("There is no such list.")


def _notice(web: Web) -> str:
    found = NOTICES.get(web.request.query_params.get("notice", ""))
    return gettext(found) if found else ""


def _policies() -> list[tuple[str, str]]:
    """Who may be replied to, in the page's language."""
    return [(value, gettext(text)) for value, text in POLICIES]


async def _index(web: Web, status: int = 200, error: str = "", typed: str = "") -> Response:
    owned = await lists.owned_lists(web.db, web.viewer.actor_id)
    counts = await lists.member_counts(web.db, web.viewer.actor_id)
    return web.render("lists/index.html", status=status, lists=owned, counts=counts, policies=_policies(), error=error,
                      typed_title=typed, notice=_notice(web), limit=lists.MAX_LISTS)


async def index(web: Web) -> Response:
    """GET: the member's lists; POST: make one, then show it."""
    if web.request.method == "GET":
        return await _index(web)
    try:
        made = await lists.create_list(web.db, web.viewer.actor_id, web.value("title"),
                                       web.value("replies_policy", "list"), bool(web.value("exclusive")))
    except ServiceError as exc:
        await roll_back(web)
        reason = sentence(exc)
        return await _index(web, 422, reason, web.value("title")[:lists.MAX_TITLE])
    await web.db.commit()
    return web.redirect(f"/lists/{made.id}?notice=created")


async def _owned(web: Web) -> List | None:
    list_id = as_id(str(web.request.path_params["id"]))
    return None if list_id is None else await lists.find_list(web.db, web.viewer.actor_id, list_id)


async def _undo(web: Web, owned: List) -> None:
    """Undo a refused change; the list is loaded again for the page that says why."""
    await roll_back(web)
    await web.db.refresh(owned)


async def _show(web: Web, owned: List, status: int = 200, error: str = "", handle: str = "") -> Response:
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    rows, shown = await reading.list_timeline(web.db, owned, page)
    members = await visible_actors(web.db, [actor for _, actor in await lists.members(web.db, owned)])
    return web.render("lists/show.html", status=status, list=owned, policies=_policies(), error=error,
                      notice=_notice(web), typed_handle=handle, statuses=await status_cards(web, shown),
                      older=older_link(web, rows), first_page="max_id" not in web.request.query_params,
                      members=list(zip(members, await account_cards(web, members))))


async def show(web: Web) -> Response:
    owned = await _owned(web)
    if owned is None:
        return error_page(web, 404, gettext(NOT_FOUND))
    return await _show(web, owned)


async def edit(web: Web) -> Response:
    """Rename the list, choose its replies policy, make it exclusive or not."""
    owned = await _owned(web)
    if owned is None:
        return error_page(web, 404, gettext(NOT_FOUND))
    try:
        await lists.update_list(web.db, owned, title=web.value("title"),
                                replies_policy=web.value("replies_policy", owned.replies_policy),
                                exclusive=bool(web.value("exclusive")))
    except ServiceError as exc:
        await _undo(web, owned)
        return await _show(web, owned, 422, sentence(exc))
    await web.db.commit()
    return web.redirect(f"/lists/{owned.id}?notice=saved")


async def delete(web: Web) -> Response:
    owned = await _owned(web)
    if owned is None:
        return error_page(web, 404, gettext(NOT_FOUND))
    await lists.delete_list(web.db, owned)
    await web.db.commit()
    return web.redirect("/lists?notice=deleted")


async def add_member(web: Web) -> Response:
    """Add an account by handle (user, @user or user@domain): one the member follows."""
    owned = await _owned(web)
    if owned is None:
        return error_page(web, 404, gettext(NOT_FOUND))
    handle = web.value("handle").strip()[:320]
    actor = await lookup.find_acct(web.runtime, web.db, handle, resolve=False) if handle else None
    if actor is None or not await visible_actors(web.db, [actor]):
        return await _show(web, owned, 422, f"No account {handle or 'by that name'} is known here.", handle)
    try:
        await lists.add_accounts(web.db, owned, [actor.id])
    except ServiceError as exc:
        await _undo(web, owned)
        return await _show(web, owned, 422, sentence(exc), handle)
    await web.db.commit()
    return web.redirect(f"/lists/{owned.id}?notice=added")


async def remove_member(web: Web) -> Response:
    owned = await _owned(web)
    if owned is None:
        return error_page(web, 404, gettext(NOT_FOUND))
    raw = web.value("account_id")
    if raw.isdigit() and len(raw) <= 19:
        await lists.remove_accounts(web.db, owned, [int(raw)])
        await web.db.commit()
    return web.redirect(f"/lists/{owned.id}?notice=removed")

