"""The society's front page: who they are, their rules, how many members, and how to join."""
from __future__ import annotations

from sqlalchemy import func, select
from starlette.responses import Response

from server.db.models import Account
from server.services.instance_settings import registration_mode
from server.web.page import Web


async def landing(web: Web) -> Response:
    if web.viewer is not None and "about" not in web.request.query_params:
        return web.redirect("/home")
    members = (await web.db.execute(select(func.count()).select_from(Account)
                                    .where(Account.approved_at.is_not(None), Account.disabled_at.is_(None)))).scalar_one()
    mode = await registration_mode(web.db, web.settings)
    return web.render("landing.html", members=members, registration_mode=mode)
