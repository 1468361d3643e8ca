"""The member's own profile: Mastodon's PATCH /api/v1/accounts/update_credentials (display name, note, avatar,
header, fields, locked, discoverable, indexable, bot) plus the professional profile (real_name, pseudonymous,
profession, specialty, institution, jurisdiction), DELETE /api/v1/profile/avatar and /header, and
GET /api/v1/curbside/profile with what only they see."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from moderation.errors import ServiceError
from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import account_json
from server.api.mastodon.params import Params, as_id, invalid, read_params
from server.db.models import Account, Actor, Follow
from server.services.accounts import professional_profile as profiles
from server.services.accounts.mastodon_profile import ProfileChanges, remove_image, update_profile
from server.services.accounts.specialties import specialty_name
from server.services.verification.attestations_issued import publish_actor_update

_FIELD_KEY = re.compile(r"^fields_attributes\[(\d{1,2})\]\[(name|value)\]$")
PROFESSIONAL_TEXT = ("real_name", "profession", "specialty", "institution", "jurisdiction")


async def credential_json(request: Request, session, actor: Actor, account: Account) -> dict:
    """The member's own Account with `source` (what they typed) and `role`."""
    entity = await account_json(request, session, actor)
    pending = await session.scalar(select(func.count()).select_from(Follow).where(
        Follow.followed_id == actor.id, Follow.state == "pending"))
    fields = [{"name": f.get("name", ""), "value": f.get("source", f.get("value", "")), "verified_at": None}
              for f in actor.fields or [] if isinstance(f, dict)]
    entity["source"] = {"privacy": "public", "sensitive": False, "language": None,
                        "note": actor.summary_source if actor.summary_source is not None else actor.summary or "",
                        "fields": fields, "follow_requests_count": pending}
    entity["role"] = {"id": "0", "name": account.role, "permissions": "0", "color": "", "highlighted": False}
    return entity


def _fields(params: Params) -> list[tuple[str, str]] | None:
    """fields_attributes as a JSON list or index-keyed object, or as form keys fields_attributes[0][name]."""
    raw = params.get("fields_attributes")
    if isinstance(raw, dict):
        raw = [raw[k] for k in sorted(raw, key=lambda k: (as_id(k) is None, as_id(k) or 0))]
    if raw is None:
        indexed: dict[int, dict] = {}
        for key, value in params.items():
            if (match := _FIELD_KEY.match(key)) and isinstance(value, str):
                indexed.setdefault(int(match[1]), {})[match[2]] = value
        raw = [indexed[i] for i in sorted(indexed)] if indexed else None
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(f, dict) for f in raw):
        raise invalid("fields_attributes", "a list of {name, value}")
    return [(f.text("name") or "", f.text("value") or "") for f in map(Params, raw)]


async def _image(params: Params, name: str) -> bytes | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, UploadFile):
        raise HTTPException(422, f"{name} must be an image file (multipart/form-data)")
    return await value.read()


def professional_changes(params: Params) -> profiles.ProfileChanges:
    """The professional part of the profile (server.services.accounts.professional_profile); the rest is left UNSET."""
    changes = profiles.ProfileChanges()
    for name in PROFESSIONAL_TEXT:
        if name in params:
            setattr(changes, name, params.text(name, ""))
    if "pseudonymous" in params:
        changes.pseudonymous = params.flag("pseudonymous", False)
    return changes


async def update_credentials(request: Request) -> JSONResponse:
    auth = await authenticate(request, "write:accounts")
    params = await read_params(request)
    changes = ProfileChanges(
        display_name=params.text("display_name"), note=params.text("note"),
        avatar=await _image(params, "avatar"), header=await _image(params, "header"), fields=_fields(params),
        locked=params.flag("locked"), discoverable=params.flag("discoverable"), bot=params.flag("bot"),
        indexable=params.flag("indexable"))
    state = request.app.state
    async with state.sessions() as session:
        account = await session.get(Account, auth.account.id)
        actor = await session.get(Actor, auth.account.actor_id)
        try:
            await profiles.update_profile(session, state.urls, account, professional_changes(params))
            await update_profile(state.runtime, session, actor, changes)
        except ServiceError as exc:
            raise HTTPException(422, f"Validation failed: {exc}") from None
        await publish_actor_update(session, state.settings, actor)
        await session.commit()
        return JSONResponse(await credential_json(request, session, actor, auth.account))


def _picture_remover(picture: str):
    """DELETE /api/v1/profile/avatar or /header: the picture and its file removed (nothing to remove is fine, as
    on Mastodon), the Update sent to followers' servers; answers the CredentialAccount."""
    async def handler(request: Request) -> JSONResponse:
        auth = await authenticate(request)
        state = request.app.state
        async with state.sessions() as session:
            actor = await session.get(Actor, auth.account.actor_id)
            if await remove_image(state.runtime, session, actor, picture):
                await publish_actor_update(session, state.settings, actor)
            await session.commit()
            return JSONResponse(await credential_json(request, session, actor, auth.account))
    return handler


remove_avatar = _picture_remover("avatar")
remove_header = _picture_remover("header")


async def own_profile(request: Request) -> JSONResponse:
    """The whole professional profile, real name included: only its owner sees it here."""
    auth = await authenticate(request, "read:accounts")
    async with request.app.state.sessions() as session:
        profile = await profiles.get_profile(session, auth.account.actor_id)
        await session.commit()
        return JSONResponse({
            "real_name": profile.real_name, "pseudonymous": profile.pseudonymous, "profession": profile.profession,
            "specialty_code": profile.specialty_code,
            "specialty": specialty_name(profile.specialty_code) if profile.specialty_code else None,
            "institution": profile.institution, "jurisdiction": profile.jurisdiction})
