"""The society's front page and its about page: who they are, their rules, how many members, who runs
it, and how to join. Visitors land on "/"; members are sent on to their home timeline, but may read
/about (or "/?about") like anyone."""
from __future__ import annotations

from sqlalchemy import func, select
from starlette.responses import Response

from server.db.models import Account, Actor
from server.services.instance.settings import registration_mode
from server.web.page import Web


async def _members(web: Web) -> int:
    query = select(func.count()).select_from(Account).where(Account.approved_at.is_not(None),
                                                             Account.disabled_at.is_(None))
    return (await web.db.execute(query)).scalar_one()


async def _staff(web: Web) -> list[tuple[Actor, str]]:
    query = (select(Actor, Account.role).join(Account, Account.actor_id == Actor.id)
             .where(Account.role.in_(("admin", "moderator")), Account.disabled_at.is_(None))
             .order_by(Account.role, Actor.username).limit(20))
    return [(actor, role) for actor, role in (await web.db.execute(query)).all()]


async def landing(web: Web) -> Response:
    if web.viewer is not None and "about" not in web.request.query_params:
        return web.redirect("/home")
    if "about" in web.request.query_params:
        return await about(web)
    mode = await registration_mode(web.db, web.settings)
    return web.render("landing.html", members=await _members(web), registration_mode=mode)


async def about(web: Web) -> Response:
    mode = await registration_mode(web.db, web.settings)
    return web.render("about.html", members=await _members(web), registration_mode=mode, staff=await _staff(web),
                      domain=web.settings.domain)
