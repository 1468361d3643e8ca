"""Timelines: /home, /local (the members' community), /federated, /public (visitors, when the admins
allow it) and /tags/{tag}; "Older posts" pages by max_id, as the client API pages."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import MAX_ID
from server.i18n import gettext
from server.services.reading import followed_tags
from server.services.reading import timelines as reading
from server.services.reading.timelines import Page
from server.web.compose import compose_context
from server.web.notices import notice
from server.web.page import Web, error_page
from server.web.status_view import status_cards, viewer_actor

PAGE_SIZE = 20


def page_of(web: Web) -> Page | None:
    """The page asked for (?max_id=), or None when max_id is not an id."""
    raw = web.request.query_params.get("max_id", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 20):
        return None
    return Page(min(int(raw), MAX_ID) if raw else None, None, None, PAGE_SIZE)  # past 64 bits: the newest page


def older_link(web: Web, rows: list, **keep: str) -> str | None:
    """The next page's URL when this one was full (the last row's id is the next max_id)."""
    if len(rows) < PAGE_SIZE:
        return None
    query = {**{k: v for k, v in keep.items() if v}, "max_id": min(r.id for r in rows)}
    return web.request.url.path + "?" + urlencode(query)


async def _timeline(web: Web, title: str, intro: str, rows: list, shown: list, *, compose: bool = False,
                    empty: str = "Nothing here yet.", **extra) -> Response:
    context = compose_context(web, "/home") if compose else {}
    filters_context = "home" if compose else "public"  # which of the viewer's keyword filters apply
    return web.render("posts/timeline.html", title=title, intro=intro,
                      statuses=await status_cards(web, shown, filters_context),
                      older=older_link(web, rows, **extra.pop("keep", {})), empty=empty, compose=compose,
                      first_page="max_id" not in web.request.query_params, **context, **extra)


async def home(web: Web) -> Response:
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    rows, shown = await reading.home(web.db, viewer_actor(web).id, page)
    return await _timeline(web, "Home", "Posts of the people you follow, and your own.", rows, shown,
                           compose=True, empty="Your home timeline is empty. Follow colleagues from the "
                                               "directory or the community timeline to see their posts here.")


async def local(web: Web) -> Response:
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    rows, shown = await reading.public(web.db, viewer_actor(web), page, only_local=True)
    return await _timeline(web, "Community", f"Public and members-only posts by members of {web.site.title}.",
                           rows, shown)


async def federated(web: Web) -> Response:
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    rows, shown = await reading.public(web.db, viewer_actor(web), page)
    return await _timeline(web, "Federated", "Public posts from this community and the servers it knows.",
                           rows, shown)


async def public(web: Web) -> Response:
    """Visitors' window on the community: only when the admins open it (off by default)."""
    if web.viewer is not None:
        return web.redirect("/federated")
    page = page_of(web)
    if page is None:
        return error_page(web, 404, gettext("There is no such page."))
    everything = web.request.query_params.get("scope") == "all"
    try:
        rows, shown = await reading.public(web.db, None, page, only_local=not everything)
    except reading.MembersOnly:
        return error_page(web, 404, gettext("This community's posts are for its members."))
    return await _timeline(web, "Public posts", f"Public posts by members of {web.site.title}."
                           if not everything else "Public posts from this community and the servers it knows.",
                           rows, shown, keep={"scope": "all" if everything else ""}, scope_all=everything)


async def tag(web: Web) -> Response:
    name = web.request.path_params["tag"].lstrip("#").lower()
    page = page_of(web)
    if not name or len(name) > 128 or page is None:
        return error_page(web, 404, gettext("There is no such hashtag page."))
    try:
        rows, shown = await reading.public(web.db, viewer_actor(web), page, tag=name)
    except reading.MembersOnly:
        return web.redirect("/login?next=" + quote("/tags/" + name))
    return await _timeline(web, f"#{name}", f"Posts tagged #{name}.", rows, shown,
                           empty=f"No posts tagged #{name} yet.", **await _tag_follow(web, name))


async def _tag_follow(web: Web, name: str) -> dict:
    """What the Follow / Unfollow button of a tag page needs (members, and names that are hashtags)."""
    try:
        valid = web.viewer is not None and followed_tags.normalize_tag(name) == name
    except ServiceError:
        valid = False
    if not valid:
        return {}
    return {"tag_name": name, "notice": notice(web),
            "tag_followed": bool(await followed_tags.following(web.db, web.viewer.actor_id, [name]))}
