"""/admin/members (admins only): registrations waiting for approval, invite links, members with their
roles, and disabling or enabling accounts. server.services.accounts.member_admin makes and audits each change."""
from __future__ import annotations

from starlette.responses import Response

from moderation.errors import Kind, ServiceError
from server.db.models import Account
from server.i18n import N_
from server.services.accounts import member_admin
from server.services.accounts.invites import invite_url, is_usable, list_invites
from server.services.accounts.members import ROLES
from server.services.accounts.registration import pending_registrations
from server.services.instance.mail import send_quietly
from server.web.admin.common import done, not_found, notice, number, older_link, path_id, query_id, roll_back
from server.web.forms import sentence
from server.web.page import Web

LIMIT = 50


async def _page(web: Web, *, status: int = 200, error: str | None = None) -> Response:
    query = web.request.query_params
    role = query.get("role") if query.get("role") in ROLES else None
    members = await member_admin.list_members(web.db, query=query.get("q", "")[:30], role=role,
                                              max_id=query_id(web), limit=LIMIT)
    invites = await list_invites(web.db)
    return web.render("admin/members.html", status=status, notice=notice(web), error=error,
                      pending=await pending_registrations(web.db), members=members, roles=ROLES, role=role or "",
                      q=query.get("q", ""), older=older_link(web, members, LIMIT),
                      invites=[(i, invite_url(web.request.app.state.urls, i), is_usable(i)) for i in invites[:50]])


async def index(web: Web) -> Response:
    return await _page(web)


async def _account(web: Web) -> Account | None:
    actor_id = path_id(web)
    return await member_admin.find_member(web.db, actor_id) if actor_id else None


def _change(work, key: str, anchor: str = "members"):
    """A POST about one member: `work(web, account)` may raise ServiceError (shown on the page) and
    returns the mail to send once the change is committed."""
    async def handler(web: Web) -> Response:
        account = await _account(web)
        if account is None:
            return not_found(web, N_("There is no such member."))
        try:
            mail = await work(web, account)
        except ServiceError as exc:
            await roll_back(web)
            return await _page(web, status=403 if exc.kind is Kind.FORBIDDEN else 422,
                               error=sentence(exc))
        await web.db.commit()
        await send_quietly(web.settings, mail or [])
        return done(web, f"/admin/members#{anchor}", key)
    return handler


async def _approve(web: Web, account: Account) -> list:
    return [await member_admin.approve_registration(web.db, web.settings, account, by=web.viewer)]


async def _reject(web: Web, account: Account) -> None:
    await member_admin.reject_registration(web.db, account, by=web.viewer)


async def _role(web: Web, account: Account) -> None:
    await member_admin.set_role(web.db, account, web.value("role"), by=web.viewer)


async def _disable(web: Web, account: Account) -> None:
    await member_admin.disable(web.db, account, by=web.viewer, reason=web.value("reason").strip())


async def _enable(web: Web, account: Account) -> None:
    await member_admin.enable(web.db, account, by=web.viewer)


approve = _change(_approve, "approved", "registrations")
reject = _change(_reject, "rejected", "registrations")
set_role = _change(_role, "role_saved")
disable = _change(_disable, "disabled")
enable = _change(_enable, "enabled")


async def create_invite(web: Web) -> Response:
    try:
        uses = number(web, "max_uses", N_("The number of uses must be a number from %(low)s to %(high)s"),
                      low=1, high=10_000)
        days = number(web, "expires_in_days", N_("The number of days must be a number from %(low)s to %(high)s"),
                      low=1, high=3650)
        await member_admin.create_invite(web.db, by=web.viewer, max_uses=int(uses) if uses else None,
                                         expires_in_days=days)
    except (ValueError, ServiceError) as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc))
    await web.db.commit()
    return done(web, "/admin/members#invites", "invite_created")


async def revoke_invite(web: Web) -> Response:
    try:
        await member_admin.revoke_invite(web.db, path_id(web) or 0, by=web.viewer)
    except ServiceError as exc:
        await roll_back(web)
        return await _page(web, status=422, error=sentence(exc))
    await web.db.commit()
    return done(web, "/admin/members#invites", "invite_revoked")
