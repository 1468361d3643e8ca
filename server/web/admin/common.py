"""What every admin page shares: the notice shown after a change, ids from the path, numbers from forms,
and paging by id (newest first, "older" links carry max_id)."""
from __future__ import annotations

from typing import Sequence
from urllib.parse import urlencode

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import as_id
from server.i18n import N_, gettext
from server.web.page import Web, error_page

# The notice a page shows after a successful POST redirected to it with ?done=<key>: fixed texts only, so
# nothing from the URL is ever shown.
NOTICES = {
    "approved": N_("Approved."), "rejected": N_("Rejected."), "asked": N_("Your question was sent to the member."),
    "dismissed": N_("The report was dismissed."), "acted": N_("Done: the action was applied and logged."),
    "assigned": N_("The report is assigned to you."), "reopened": N_("The report is open again."),
    "appeal_approved": N_("The appeal was approved and the action undone where possible."),
    "appeal_rejected": N_("The appeal was rejected."),
    "policy_saved": N_("The domain policy is saved and in force."),
    "policy_removed": N_("The domain policy was removed."),
    "mode_saved": N_("The federation mode is saved."), "imported": N_("The list was imported."),
    "nothing_imported": N_("The list changed nothing: every entry was in force already."),
    "subscribed": N_("Subscribed. The list is fetched within the hour, or now with “Refresh now”."),
    "unsubscribed": N_("Unsubscribed; the policies that list created are gone."),
    "refreshed": N_("The lists were fetched; see their state below."),
    "draft_approved": N_("The draft is approved and in force."), "draft_rejected": N_("The draft was rejected."),
    "published": N_("Who may read the published list is saved."),
    "invite_created": N_("The invite link is ready: copy it from the list below."),
    "invite_revoked": N_("The invite was revoked."), "role_saved": N_("The role is saved."),
    "disabled": N_("The account is disabled and logged out everywhere."),
    "enabled": N_("The account is enabled again."),
    "site_saved": N_("The site settings are saved."), "joining_saved": N_("The registration settings are saved."),
    "announced": N_("The announcement is published."), "announcement_deleted": N_("The announcement was deleted."),
    "unchanged": N_("Nothing changed."),
}


def notice(web: Web) -> str | None:
    found = NOTICES.get(web.request.query_params.get("done", ""))
    return gettext(found) if found else None


def done(web: Web, url: str, key: str) -> Response:
    """Back to `url` with the notice `key` (a 303, so reloading does not resend the form)."""
    url, _, fragment = url.partition("#")
    return web.redirect(f"{url}{'&' if '?' in url else '?'}done={key}" + (f"#{fragment}" if fragment else ""))


def path_id(web: Web, name: str = "id") -> int | None:
    return as_id(web.request.path_params.get(name, ""))


def not_found(web: Web, message: str = N_("There is no such page.")) -> Response:
    """The 404 page saying `message`, a whole sentence marked N_ where it is written ("There is no such report.")."""
    return error_page(web, 404, gettext(message))


def number(web: Web, name: str, refusal: str, *, low: int = 0, high: int = 10_000) -> float | None:
    """A number from the form (None when left blank); otherwise a ServiceError saying `refusal`, a msgid marked
    N_ where it is written, taking %(low)s and %(high)s ("The priority must be a number from %(low)s to ...")."""
    raw = web.value(name).strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ServiceError(refusal, values={"low": low, "high": high})
    return value


def query_id(web: Web, name: str = "max_id") -> int | None:
    return as_id(web.request.query_params.get(name, ""))


def older_link(web: Web, rows: Sequence, limit: int, key=lambda row: row.id) -> str | None:
    """The link to the next (older) page, when this page is full."""
    if len(rows) < limit:
        return None
    params = {k: v for k, v in web.request.query_params.items() if k not in ("max_id", "done")}
    params["max_id"] = str(key(rows[-1]))
    return f"{web.request.url.path}?{urlencode(params)}"


def checked(web: Web, name: str) -> bool:
    return web.value(name) in ("on", "1", "true", "yes")


async def roll_back(web: Web, *objects: object) -> None:
    """Undo a refused change, then load again what the page shows (a rollback expires every row: the
    viewer in the page header and `objects`)."""
    await web.db.rollback()
    for row in (web.viewer, *objects):
        if row is not None:
            await web.db.refresh(row)
    if web.viewer is not None:
        await web.db.refresh(web.viewer.actor)
