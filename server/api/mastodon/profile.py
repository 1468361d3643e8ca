"""The member's own profile: Mastodon's PATCH /api/v1/accounts/update_credentials (display name, note,
locked, discoverable, fields_attributes) plus the professional profile (real_name, pseudonymous, profession,
specialty, institution, jurisdiction), and GET /api/v1/curbside/profile with what only they see."""
from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.ap.actors import forget_actor
from server.api.mastodon.accounts import verify_credentials
from server.api.mastodon.auth import authenticate
from server.api.mastodon.params import flag, read_params
from server.db.models import Account
from server.services.attestations import publish_actor_update
from server.services.profiles import UNSET, ProfileChanges, ProfileError, get_profile, update_profile
from server.services.specialties import specialty_name

_FIELD_KEY = re.compile(r"^fields_attributes\[(\d{1,2})\]\[(name|value)\]$")
TEXT_PARAMS = ("display_name", "note", "real_name", "profession", "specialty", "institution", "jurisdiction")


def _fields(params: dict) -> object:
    """fields_attributes as JSON (a list, or an object keyed by index) or as form keys `fields_attributes[0][name]`."""
    raw = params.get("fields_attributes")
    if isinstance(raw, list):
        return raw
    if isinstance(raw, dict):
        return [raw[k] for k in sorted(raw, key=lambda k: int(k) if str(k).isdigit() else 0)]
    found: dict[int, dict] = {}
    for key, value in params.items():
        if (match := _FIELD_KEY.match(key)) and isinstance(value, str):
            found.setdefault(int(match[1]), {})[match[2]] = value
    return [found[i] for i in sorted(found)] if found else UNSET


def changes_from(params: dict) -> ProfileChanges:
    changes = ProfileChanges(fields=_fields(params))
    for name in TEXT_PARAMS:
        if name in params:
            value = params[name]
            setattr(changes, name, value if isinstance(value, str) else "" if value is None else str(value))
    for name in ("locked", "discoverable", "pseudonymous"):
        if name in params:
            setattr(changes, name, flag(params[name]))
    return changes


async def update_credentials(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:accounts")
    params, state = await read_params(request), request.app.state
    async with state.sessions() as session:
        account = await session.get(Account, auth.account.id)
        try:
            actor = await update_profile(session, state.urls, account, changes_from(params))
        except ProfileError as exc:
            raise HTTPException(422, str(exc)) from None
        await publish_actor_update(session, state.settings, actor)
        await session.commit()
    forget_actor(request.app, actor.username)
    state.runtime.wake("deliveries")
    return await verify_credentials(request)


async def own_profile(request: Request) -> JSONResponse:
    """The whole professional profile, real name included: only its owner sees it here."""
    auth = await authenticate(request, "read:accounts")
    async with request.app.state.sessions() as session:
        profile = await get_profile(session, auth.account.actor_id)
        await session.commit()
        return JSONResponse({
            "real_name": profile.real_name, "pseudonymous": profile.pseudonymous, "profession": profile.profession,
            "specialty_code": profile.specialty_code,
            "specialty": specialty_name(profile.specialty_code) if profile.specialty_code else None,
            "institution": profile.institution, "jurisdiction": profile.jurisdiction})
