"""Settings: preferences — the language of the member's pages, mails and push notifications."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.i18n import available_locales, language_name
from server.services.accounts.preferences import set_locale
from server.web.forms import sentence
from server.web.page import Web
from server.web.settings_profile import render_settings


def language_choices() -> list[tuple[str, str]]:
    """(tag, the language named in itself), as a language menu lists them."""
    return [(tag, language_name(tag)) for tag in available_locales()]


async def preferences(web: Web) -> Response:
    if web.request.method == "POST":
        try:
            set_locale(web.viewer, web.value("locale"))
        except ServiceError as exc:
            return _page(web, 422, sentence(exc))
        await web.db.commit()
        return web.redirect("/settings/preferences?notice=saved")
    return _page(web)


def _page(web: Web, status: int = 200, error: str = "") -> Response:
    return render_settings(web, "settings/preferences.html", "preferences", status, error=error,
                           languages=language_choices(), chosen=web.viewer.locale or "",
                           instance_language=language_name(web.settings.default_locale))
