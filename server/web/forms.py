"""Small helpers of the pages' forms: a refusal in the page's language (msgid translated, values filled in), a
rollback, an uploaded file."""
from __future__ import annotations

from starlette.datastructures import UploadFile

from moderation.errors import ServiceError
from server.i18n import filled, gettext
from server.web.page import Web


def refusal(exc: Exception | str) -> str:
    """A service's refusal in the page's language: its msgid (or the plainer one the web shows, `plain`)
    translated, then its values filled in; a bare text is only translated (where the catalogs have it)."""
    if isinstance(exc, ServiceError):
        return filled((exc.details.get("plain") or exc.msgid).strip(), exc.values)
    return filled(str(exc).strip(), {})


def sentence(exc: Exception | str) -> str:
    """A service's refusal ("a note is at most 500 characters") as a sentence for the page, in its language."""
    message = refusal(exc)
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def because(message: str, exc: Exception | str) -> str:
    """A page's %-format msgid with the refusal (translated, values filled in) as its %(reason)s."""
    return gettext(message) % {"reason": refusal(exc)}


async def rollback(web: Web) -> None:
    """Undo a refused change; the viewer and their actor are loaded again for the page that says why."""
    await web.db.rollback()
    if web.viewer is not None:
        await web.db.refresh(web.viewer)
        await web.db.refresh(web.viewer.actor)


async def upload(web: Web, name: str) -> UploadFile | None:
    """The file sent in the form field `name`, if one was chosen."""
    value = web.form.get(name) if web.form is not None else None
    return value if isinstance(value, UploadFile) and value.filename else None
