"""Admins' instance API under /api/v1/curbside/admin/: invites, the registration approval queue, trusted
verifiers and the run-time settings (registration mode, patient-privacy policy, verification validity,
evidence retention)."""
from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.common import account_json, not_found, path_id
from server.api.mastodon.params import read_params
from server.api.mastodon.staff import staff
from server.convert.actor_to_mastodon import iso
from server.db.models import Account, Actor, Invite
from server.services.accounts import member_admin
from server.services.accounts.invites import invite_url, is_usable, list_invites
from server.services.accounts.registration import pending_registrations
from server.services.instance import settings as runtime_settings
from server.services.instance.mail import send_quietly


def _invite_json(request: Request, invite: Invite) -> dict:
    return {"id": str(invite.id), "code": invite.code, "url": invite_url(request.app.state.urls, invite),
            "max_uses": invite.max_uses, "uses": invite.uses, "expires_at": iso(invite.expires_at),
            "revoked": invite.revoked_at is not None, "usable": is_usable(invite), "created_at": iso(invite.created_at)}


async def invites(request: Request) -> JSONResponse:
    await staff(request, "admin:read", admin_only=True)
    async with request.app.state.sessions() as session:
        return JSONResponse([_invite_json(request, i) for i in await list_invites(session)])


async def create_invite_link(request: Request) -> JSONResponse:
    """POST with optional `max_uses` and `expires_in_days`."""
    auth = await staff(request, "admin:write", admin_only=True)
    params = await read_params(request)
    uses, days = params.integer("max_uses"), params.integer("expires_in_days")
    async with request.app.state.sessions() as session:
        invite = await member_admin.create_invite(session, by=await session.get(Account, auth.account.id),
                                                  max_uses=uses,
                                                  expires_in_days=days)
        await session.commit()
        return JSONResponse(_invite_json(request, invite), status_code=201)


async def delete_invite(request: Request) -> JSONResponse:
    auth = await staff(request, "admin:write", admin_only=True)
    async with request.app.state.sessions() as session:
        invite = await member_admin.revoke_invite(session, path_id(request),
                                                  by=await session.get(Account, auth.account.id))
        await session.commit()
        return JSONResponse(_invite_json(request, invite))


async def registrations(request: Request) -> JSONResponse:
    """Accounts waiting for approval, with the reason they gave."""
    await staff(request, "admin:read", admin_only=True)
    async with request.app.state.sessions() as session:
        return JSONResponse([{**await account_json(request, session, a.actor), "email": a.email,
                              "reason": a.registration_reason, "locale": a.locale,
                              "confirmed": a.confirmed_at is not None}
                             for a in await pending_registrations(session)])


async def _pending(session, request: Request) -> Account:
    account = (await session.execute(select(Account).where(Account.actor_id == path_id(request)))).scalar_one_or_none()
    if account is None:
        raise not_found()
    return account


async def approve(request: Request) -> JSONResponse:
    auth = await staff(request, "admin:write", admin_only=True)
    state = request.app.state
    async with state.sessions() as session:
        account = await _pending(session, request)
        message = await member_admin.approve_registration(session, state.settings, account,
                                                          by=await session.get(Account, auth.account.id))
        await session.commit()
    await send_quietly(state.settings, [message])
    return JSONResponse({})


async def reject(request: Request) -> JSONResponse:
    auth = await staff(request, "admin:write", admin_only=True)
    async with request.app.state.sessions() as session:
        account = await _pending(session, request)
        await member_admin.reject_registration(session, account, by=await session.get(Account, auth.account.id))
        await session.commit()
    return JSONResponse({})


async def trusted(request: Request) -> JSONResponse:
    await staff(request, "admin:read", admin_only=True)
    async with request.app.state.sessions() as session:
        return JSONResponse([{"domain": d} for d in await runtime_settings.trusted_verifiers(session)])


async def trust(request: Request) -> JSONResponse:
    """POST with `domain`: show badges of that instance's verifications here."""
    auth = await staff(request, "admin:write", admin_only=True)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        domain = await runtime_settings.trust_verifier(session, params.text("domain", ""),
                                                       await session.get(Actor, auth.account.actor_id))
        await session.commit()
    return JSONResponse({"domain": domain}, status_code=201)


async def untrust(request: Request) -> JSONResponse:
    auth = await staff(request, "admin:write", admin_only=True)
    async with request.app.state.sessions() as session:
        removed = await runtime_settings.untrust_verifier(session, request.path_params["domain"],
                                                          await session.get(Actor, auth.account.actor_id))
        if not removed:
            raise not_found()
        await session.commit()
    return JSONResponse({})


async def _settings_json(request: Request, session) -> dict:
    settings = request.app.state.settings
    return {"registration_mode": await runtime_settings.registration_mode(session, settings),
            "phi_policy": await runtime_settings.phi_policy(session, settings),
            "verification_valid_days": await runtime_settings.verification_valid_days(session, settings),
            "evidence_retention_days": await runtime_settings.evidence_retention_days(session, settings),
            "trusted_verifiers": await runtime_settings.trusted_verifiers(session)}


async def show_settings(request: Request) -> JSONResponse:
    await staff(request, "admin:read", admin_only=True)
    async with request.app.state.sessions() as session:
        return JSONResponse(await _settings_json(request, session))


async def update_settings(request: Request) -> JSONResponse:
    """PATCH with any of `registration_mode`, `phi_policy`, `verification_valid_days`, `evidence_retention_days`."""
    auth = await staff(request, "admin:write", admin_only=True)
    params = await read_params(request)
    changes: dict[str, object] = {}
    if "registration_mode" in params:
        changes["registration_mode"] = params.text("registration_mode", "").strip().lower()
    for key in ("verification_valid_days", "evidence_retention_days"):
        if key in params:
            changes[key] = params.integer(key)
    async with request.app.state.sessions() as session:
        admin = await session.get(Actor, auth.account.actor_id)
        await runtime_settings.change(session, request.app.state.settings, changes, actor=admin)
        if "phi_policy" in params:
            await runtime_settings.set_phi_policy(session, params.text("phi_policy", "").strip().lower(), admin)
        await session.commit()
        return JSONResponse(await _settings_json(request, session))
