"""/api/v1/push/subscription: the Web Push subscription of the caller's access token (one per token)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.api.mastodon.auth import authenticate, bearer
from server.api.mastodon.params import Params, flag, invalid, read_params
from server.convert.push_subscription_to_mastodon import push_subscription_to_mastodon
from server.services.push import subscriptions
from server.services.push.subscriptions import ALERTS, Endpoint, Wanted, server_key


def _at(params: Params, *path: str):
    """A nested parameter: `a[b][c]` in forms and query strings, {"a": {"b": {"c": ...}}} in JSON."""
    flat = path[0] + "".join(f"[{name}]" for name in path[1:])
    if flat in params:
        return params[flat]
    value = params
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _text(params: Params, *path: str, required: bool = True) -> str | None:
    value = _at(params, *path)
    if (value is None or value == "") and not required:
        return None
    if not isinstance(value, str) or not value:
        raise invalid(path[0] + "".join(f"[{name}]" for name in path[1:]), "given as text")
    return value


def _endpoint(params: Params) -> Endpoint:
    return Endpoint(_text(params, "subscription", "endpoint"), _text(params, "subscription", "keys", "p256dh"),
                    _text(params, "subscription", "keys", "auth"))


def _wanted(params: Params) -> Wanted:
    alerts = {kind: flag(value) for kind in ALERTS if (value := _at(params, "data", "alerts", kind)) is not None}
    # Mastodon.py sends `policy` beside `data`, where Mastodon ignores it: taken here, as its users mean it.
    policy = _text(params, "data", "policy", required=False) or _text(params, "policy", required=False)
    return Wanted(alerts, policy or "all")


def _json(request: Request, row) -> JSONResponse:
    return JSONResponse(push_subscription_to_mastodon(row, server_key(request.app.state.settings)))


async def create(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    settings = request.app.state.settings
    async with request.app.state.sessions() as session:
        row = await subscriptions.subscribe(session, settings.secret_key, token_id=auth.token_id,
                                            token=bearer(request), actor_id=auth.account.actor_id,
                                            endpoint=_endpoint(params), wanted=_wanted(params),
                                            allow_http=settings.allow_http)
        await session.commit()
        return _json(request, row)


async def show(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        return _json(request, await subscriptions.subscription_of(session, auth.token_id))


async def update(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    params = await read_params(request)
    async with request.app.state.sessions() as session:
        row = await subscriptions.change(session, auth.token_id, _wanted(params))
        await session.commit()
        return _json(request, row)


async def remove(request: Request) -> JSONResponse:
    auth = await authenticate(request)
    async with request.app.state.sessions() as session:
        await subscriptions.unsubscribe(session, auth.token_id)
        await session.commit()
    return JSONResponse({})
