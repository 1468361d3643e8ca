"""Content negotiation for ActivityPub GETs: JSON for servers, a redirect or a web UI page for browsers.

Every answer of a negotiated URL carries `Vary: Accept`, so that caches keep the two apart.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from federation.signatures import SignatureError, verify_request
from server.db.models import Actor
from server.errors import error_response
from server.services.federation.inbox.intake import intake_of

ACTIVITY_JSON = "application/activity+json"
AS_CONTENT_TYPE = f"{ACTIVITY_JSON}; charset=utf-8"
# application/json is what Mastodon's `format.json` also answers with ActivityStreams.
_AS_TYPES = frozenset({ACTIVITY_JSON, "application/ld+json", "application/json"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
VARY = {"Vary": "Accept"}


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def wants_activity_json(accept: str | None) -> bool:
    """Whether an Accept header asks for ActivityStreams rather than HTML.

    ActivityStreams wins when any of activity+json, ld+json (with or without the AS profile) or
    json is acceptable at least as much as HTML. `*/*` alone or no Accept means a browser.
    """
    if not accept:
        return False
    best_as = best_html = 0.0
    for item in accept[:2000].split(","):
        kind, _, params = item.partition(";")
        kind = kind.strip().lower()
        if kind in _AS_TYPES:
            best_as = max(best_as, _quality(params))
        elif kind in _HTML_TYPES:
            best_html = max(best_html, _quality(params))
    return best_as > 0 and best_as >= best_html


def dumps(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def activity_response(document: Any | bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An ActivityStreams document (or its pre-serialised bytes) as application/activity+json."""
    body = document if isinstance(document, bytes) else dumps(document)
    return Response(body, status_code=status, media_type=AS_CONTENT_TYPE, headers={**VARY, **(headers or {})})


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=302, headers=VARY)


def not_found(request: Request) -> Response:
    """The one answer for unknown, deleted, hidden and not-allowed alike: existence is never revealed."""
    return error_response(request, 404, "Not Found", VARY)


def unauthorized(request: Request, reason: str) -> Response:
    return error_response(request, 401, reason, VARY)


async def web_page(request: Request, page: str) -> Response:
    """The page browsers get at a negotiated URL: the web UI's page of that name ("profile", "status",
    "status_redirect"; app.state.html_page is server.web.routes.ap_page), kept apart from the JSON by Vary."""
    response = await request.app.state.html_page(request, page)
    response.headers["Vary"] = "Accept"
    return response


# --- who is asking -----------------------------------------------------------------------

def _key_resolver(request: Request):
    return intake_of(request.app.state).resolve_key  # the inbox's key cache: a new key is seen at once


def is_signed(request: Request) -> bool:
    headers = request.headers
    return "signature" in headers or "signature-input" in headers or \
        headers.get("authorization", "").lower().startswith("signature ")


def reads(request: Request):
    """The session of a GET that only reads: unsigned, the replica's if there is one (server.replica); signed,
    the primary's, as verifying may store the signer's key."""
    runtime = request.app.state.runtime
    return runtime.sessions() if is_signed(request) else runtime.replica_reads()


async def signing_actor(request: Request, session: AsyncSession, *, required: bool) -> Actor | None:
    """The actor whose signature this GET carries, or None when unsigned or badly signed.

    With `required` (authorized-fetch mode) a missing or bad signature is a 401 instead;
    outside it a bad signature counts as no signature, as Mastodon treats it.
    """
    if not is_signed(request):
        if required:
            raise HTTPException(401, "this server requires signed requests", headers=VARY)
        return None
    target = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    if request.url.query:
        target += "?" + request.url.query
    try:
        verified = await verify_request(request.method, target, request.headers, None, _key_resolver(request))
    except SignatureError as exc:
        if required:
            raise HTTPException(401, f"signature refused: {exc.reason}", headers=VARY) from None
        return None
    return (await session.execute(select(Actor).where(Actor.uri == verified.owner))).scalar_one_or_none()
