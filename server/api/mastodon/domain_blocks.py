"""The published blocklist: GET /api/v1/instance/domain_blocks (Mastodon's JSON: obfuscated names
with their digest) and /api/v1/instance/domain_blocks.csv, readable by whom the instance
setting says: nobody, members (a member's token), trusted peers (a request signed by an actor of
a listed domain, or a member's token) or everyone."""
from __future__ import annotations

import hashlib

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from federation.signatures import SignatureError, verify_request
from server.api.mastodon.auth import authenticate
from server.convert.as_to_actor import actor_domain
from server.services.federation.inbox.intake import intake_of
from server.services.moderation.publish import published_document, read_visibility

TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


async def _signed_by_peer(request: Request, trusted: list[str]) -> bool:
    if "signature" not in request.headers and "signature-input" not in request.headers:
        return False
    resolver = intake_of(request.app.state).resolve_key  # the inbox's key cache: a new key is seen at once
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        verified = await verify_request("GET", target, request.headers, None, resolver)
    except SignatureError:
        return False
    return actor_domain(verified.owner) in trusted


async def _check_reader(request: Request) -> None:
    async with request.app.state.sessions() as session:
        visibility, trusted = await read_visibility(session)
    if visibility == "everyone":
        return
    if visibility == "nobody":
        raise HTTPException(404, "This instance does not publish its domain blocks")
    if visibility == "trusted" and await _signed_by_peer(request, trusted):
        return
    auth = await authenticate(request)  # the route declares optional("read")
    if auth is None:
        raise HTTPException(401, "Domain blocks are shown to members"
                            + (" and trusted peers" if visibility == "trusted" else ""))


def _published(fmt: str):
    async def handler(request: Request) -> Response:
        await _check_reader(request)
        async with request.app.state.sessions() as session:
            body = await published_document(session, fmt)
        etag = '"%s"' % hashlib.sha256(body.encode()).hexdigest()[:32]
        headers = {"Cache-Control": "private, max-age=60", "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)  # subscribers poll: spare them the list
        return Response(body, media_type=TYPES[fmt], headers=headers)
    return handler


public_json = _published("json")
public_csv = _published("csv")
