"""Small helpers of the account pages' forms."""
from __future__ import annotations

from starlette.datastructures import UploadFile

from server.i18n import gettext
from server.web.page import Web


def sentence(message: str) -> str:
    """A service's refusal ("a note is at most 500 characters") as a sentence for the page, in the page's
    language where the refusal is a fixed text marked in the service (N_)."""
    message = message.strip()
    message = gettext(message) if message else message  # gettext("") is the catalog's header
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def because(message: str, exc: Exception) -> str:
    """A page's %-format msgid with the (translated, where fixed) refusal as its %(reason)s."""
    return gettext(message) % {"reason": gettext(str(exc))}


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
