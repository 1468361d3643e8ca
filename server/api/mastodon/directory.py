"""Member directories: Mastodon's GET /api/v1/directory (discoverable accounts, `local=true` for members
only), and GET /api/v1/curbside/directory?specialty=CODE listing verified members by specialty. Both show
public names only: a pseudonymous member appears under their alias."""
from __future__ import annotations

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate
from server.api.mastodon.common import accounts_json
from server.api.mastodon.paging import int_param
from server.api.mastodon.params import flag
from server.db.models import Account, Actor, Post, Verification
from server.db.types import utcnow
from server.services.profiles import ProfileError, check_profession, check_specialty


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset") or "0"
    if not raw.isdigit() or len(raw) > 9:
        raise HTTPException(422, "offset must be a number")
    return int(raw)


def _listed():
    """Actors a directory may list: discoverable people; local ones approved, confirmed and not disabled."""
    usable = select(Account.actor_id).where(Account.approved_at.is_not(None), Account.confirmed_at.is_not(None),
                                            Account.disabled_at.is_(None))
    return select(Actor).where(Actor.discoverable.is_(True), Actor.actor_type.in_(("Person", "Service")),
                               (Actor.local.is_(False)) | Actor.id.in_(usable))


async def directory(request: Request) -> JSONResponse:
    await authenticate(request, "read:accounts", optional=True)
    limit, offset = int_param(request, "limit", 40, 80), _offset(request)
    query = _listed()
    if flag(request.query_params.get("local", False)):
        query = query.where(Actor.local.is_(True))
    if request.query_params.get("order") == "new":
        query = query.order_by(Actor.id.desc())
    else:  # "active": most recent post first, as Mastodon orders it
        last = select(func.max(Post.published)).where(Post.author_id == Actor.id).scalar_subquery()
        query = query.order_by(last.desc().nulls_last(), Actor.id.desc())
    async with request.app.state.sessions() as session:
        actors = list((await session.execute(query.offset(offset).limit(limit))).scalars())
        return await accounts_json(request, session, actors)


async def verified_directory(request: Request) -> JSONResponse:
    """Verified, discoverable local members, optionally of one `specialty` (NUCC code) or `profession`."""
    await authenticate(request, "read:accounts", optional=True)
    limit, offset = int_param(request, "limit", 40, 80), _offset(request)
    now = utcnow()
    current = select(Account.actor_id).join(Verification, Verification.account_id == Account.id).where(
        Verification.revoked_at.is_(None), Verification.valid_from <= now, Verification.valid_until > now)
    try:
        if specialty := request.query_params.get("specialty"):
            current = current.where(Verification.specialty_code == check_specialty(specialty, None))
        if profession := request.query_params.get("profession"):
            current = current.where(Verification.profession == check_profession(profession))
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from None
    query = _listed().where(Actor.local.is_(True), Actor.id.in_(current)).order_by(func.lower(Actor.display_name),
                                                                                Actor.id)
    async with request.app.state.sessions() as session:
        actors = list((await session.execute(query.offset(offset).limit(limit))).scalars())
        return await accounts_json(request, session, actors)
