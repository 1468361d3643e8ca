"""Followed hashtags on the web: Follow / Unfollow on a tag's page (back to the page the form was on),
and the member's list of followed tags at /settings/tags."""
from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from moderation.errors import ServiceError
from server.services.reading import followed_tags
from server.services.reading.timelines import Page
from server.web.forms import because
from server.web.page import Web, error_page, safe_next
from server.web.settings_profile import render_settings

LISTED = 200  # as many as the client API gives in one page; members follow a handful


def tag_page(tag: str) -> str:
    return "/tags/" + quote(tag)


def _change(action, notice: str):
    async def handler(web: Web) -> Response:
        try:
            tag = followed_tags.normalize_tag(web.request.path_params["tag"])
        except ServiceError as exc:
            return error_page(web, 422, because("That is not a hashtag: %(reason)s.", exc))
        await action(web.db, web.viewer.actor_id, tag)
        await web.db.commit()
        back = safe_next(web.value("next"), tag_page(tag))
        return web.redirect(back + ("&" if "?" in back else "?") + f"notice={notice}")
    return handler


follow = _change(followed_tags.follow_tag, "tag_followed")
unfollow = _change(followed_tags.unfollow_tag, "tag_unfollowed")


async def settings_page(web: Web) -> Response:
    rows = await followed_tags.followed_page(web.db, web.viewer.actor_id, Page(None, None, None, LISTED))
    return render_settings(web, "settings/tags.html", "tags", tags=sorted(r.tag for r in rows))
