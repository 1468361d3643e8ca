"""Profiles: /@{username} (a member; also the HTML side of /users/{username}, served from server.ap.actors)
and /@{username}@{domain} (a remote account this server knows), with the posts the viewer may see; and
what a member does to another account: follow, unfollow, block, mute, answer a follow request."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import ServiceError
from server.db.ids import as_id
from server.db.models import Actor
from server.services.moderation.hidden_from_viewers import actor_hidden
from server.services.reading import timelines as reading
from server.services.social import blocks_and_mutes as members
from server.services.social import interactions as social
from server.services.social import lookup
from server.services.social.relationships import relationship
from server.services.social.visibility_to_servers import find_member
from server.web.forms import because
from server.web.page import Web, error_page, safe_next
from server.web.status_view import account_cards, roll_back, status_cards, viewer_actor
from server.web.timelines import older_link, page_of

NOT_FOUND = "There is no such account here."


async def _account(web: Web, name: str) -> Actor | None:
    """`user` (a member) or `user@domain` (known here; never fetched for a page view)."""
    settings, urls = web.settings, web.runtime.urls
    user, _, domain = name.lstrip("@").partition("@")
    if not domain or domain.lower() == settings.domain:
        actor = await find_member(web.db, settings.domain, urls.instance_actor, user)
    else:
        actor = await lookup.find_acct(web.runtime, web.db, f"{user}@{domain}", resolve=False)
    if actor is None or await actor_hidden(web.db, actor):
        return None
    return actor


async def profile_page(web: Web) -> Response:
    actor = await _account(web, str(web.request.path_params["username"]))
    page = page_of(web)
    if actor is None or page is None:
        return error_page(web, 404, NOT_FOUND)
    viewer = viewer_actor(web)
    with_replies = web.request.query_params.get("with_replies") == "1"
    members_only = False
    try:
        rows, shown = await reading.account_posts(web.db, actor, viewer, page, exclude_replies=not with_replies)
        first_page = "max_id" not in web.request.query_params and actor.local
        pinned = await reading.pinned(web.db, actor, viewer) if first_page else []
    except reading.MembersOnly:  # a visitor of a closed community: the profile, not the posts
        rows, shown, pinned, members_only = [], [], [], True
    account = (await account_cards(web, [actor], fresh=True))[0]
    rel = await relationship(web.db, viewer, actor) if viewer is not None and viewer.id != actor.id else None
    return web.render("posts/profile.html", account=account, actor=actor, relationship=rel,
                      pinned=await status_cards(web, pinned, "account"),
                      statuses=await status_cards(web, shown, "account"),
                      with_replies=with_replies, older=older_link(web, rows, with_replies="1" if with_replies else ""),
                      alternate=actor.uri if actor.local else None, local_domain=web.settings.domain,
                      is_self=viewer is not None and viewer.id == actor.id,
                      members_only=members_only)


async def target_account(web: Web) -> Actor | None:
    actor_id = as_id(str(web.request.path_params["id"]))
    actor = await web.db.get(Actor, actor_id) if actor_id is not None else None
    if actor is None or await actor_hidden(web.db, actor):
        return None
    return actor


def _account_action(change):
    async def handler(web: Web) -> Response:
        target = await target_account(web)
        if target is None:
            return error_page(web, 404, NOT_FOUND)
        try:
            await change(web, viewer_actor(web), target)
        except ServiceError as exc:
            await roll_back(web)
            return error_page(web, 422, because("That did not work: %(reason)s.", exc))
        await web.db.commit()
        profile = "/@" + (target.username if target.local else f"{target.username}@{target.domain}")
        return web.redirect(safe_next(web.value("next"), profile))
    return handler


follow = _account_action(lambda web, me, target: social.follow(web.runtime, web.db, me, target))
unfollow = _account_action(lambda web, me, target: social.unfollow(web.runtime, web.db, me, target))
block = _account_action(lambda web, me, target: members.block(web.runtime, web.db, me, target))
unblock = _account_action(lambda web, me, target: members.unblock(web.runtime, web.db, me, target))
mute = _account_action(lambda web, me, target: members.mute(web.db, me, target))
unmute = _account_action(lambda web, me, target: members.unmute(web.db, me, target))
authorize = _account_action(lambda web, me, target: social.answer_follow_request(
    web.runtime, web.db, me, target, accept=True))
reject = _account_action(lambda web, me, target: social.answer_follow_request(
    web.runtime, web.db, me, target, accept=False))
