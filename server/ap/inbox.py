"""ActivityPub endpoints: inbox. POST /inbox (shared) and POST /users/{username}/inbox.

An activity is checked here only as far as it must be before it is stored: well-formed JSON, a
valid HTTP signature (with a signed Digest) and a signer entitled to speak for the activity's
actor. It is then queued (server.jobs.inbox processes it) and answered 202 at once.

Who may sign for an actor: the actor itself, or another key on the actor's own origin (scheme,
host, port), since that host controls both keys anyway (some servers sign deliveries with an
instance key). A signer on another origin is refused: activities relayed or forwarded by a third
party would need a Linked Data signature, which Curbside does not verify; the origin delivers
them to us itself.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from federation import vocab
from federation.signatures import SignatureError, verify_request
from federation.urls import same_origin
from federation.vocab.values import id_of, require_id
from server.convert.as_to_actor import actor_domain
from server.errors import error_response
from server.runtime import Runtime
from server.services.accounts import find_local_actor
from server.services.inbox.intake import InboxWriter, QueueUnavailable, inbox_allowed
from server.services.remote_actors import KeyCache, make_key_resolver

log = logging.getLogger("curbside.inbox")


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Intake:
    """Per-app inbox state: one key cache, its resolver, and the queue writer."""

    runtime: Runtime
    keys: KeyCache
    resolve_key: Callable
    writer: InboxWriter


def _intake(request: Request) -> Intake:
    state = request.app.state
    intake = getattr(state, "inbox_intake", None)
    if intake is None or intake.runtime is not state.runtime:
        keys = KeyCache()
        intake = Intake(state.runtime, keys, make_key_resolver(state.runtime, keys),
                        InboxWriter(state.runtime.engine))
        state.inbox_intake = intake
    return intake


@dataclass(frozen=True)
class Envelope:
    """What intake reads of an activity."""

    id: str
    actor: str
    type: str
    object: Any

    @property
    def object_id(self) -> str | None:
        return id_of(self.object, allow_http=True)


def _parse(body: bytes, allow_http: bool) -> tuple[dict[str, Any], Envelope]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused(400, "body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise Refused(400, f"expected a JSON object, got {type(doc).__name__}")
    # Only what intake needs (id, actor, type); the runner parses the whole activity.
    try:
        if not vocab.type_names(doc.get("type")):
            raise vocab.VocabError("activity has no type")
        return doc, Envelope(require_id(doc.get("id"), "activity id", allow_http=allow_http),
                             require_id(doc.get("actor"), "actor", allow_http=allow_http),
                             vocab.type_names(doc.get("type"))[0], doc.get("object"))
    except vocab.VocabError as exc:
        raise Refused(400, exc.reason) from None


def _target(request: Request) -> str:
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    return (path + (b"?" + query if query else b"")).decode("latin-1")


def _self_delete(activity: Envelope) -> bool:
    return activity.type == "Delete" and activity.object_id == activity.actor


async def _verify(request: Request, intake: Intake, body: bytes, activity: Envelope) -> str | None:
    """The signer's actor id, or None for a self-Delete whose key we never knew (nothing to delete)."""
    try:
        verified = await verify_request(request.method, _target(request), request.headers, body,
                                        intake.resolve_key, require_digest=True)
    except SignatureError as exc:
        # Mastodon's answer to deleted accounts whose keys are gone: accept, do nothing.
        if exc.reason == "unknown key" and _self_delete(activity):
            return None
        raise Refused(401, f"signature refused: {exc.reason}") from None
    if verified.owner != activity.actor and not same_origin(verified.owner, activity.actor):
        raise Refused(401, f"signer {verified.owner} may not speak for actor {activity.actor}")
    return verified.owner


async def _receive(request: Request) -> Response:
    try:
        body = await request.body()  # the body limit's own exception passes through: it answers 413
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is listening any more
    try:
        intake = _intake(request)
        runtime = intake.runtime
        doc, activity = _parse(body, runtime.settings.allow_http)
        domain = actor_domain(activity.actor)
        if same_origin(activity.actor, runtime.settings.base_url):
            raise Refused(403, "activities of local actors are not accepted from outside")
        if not await inbox_allowed(runtime, domain):
            raise Refused(403, f"activities from {domain} are not accepted")
        signer = await _verify(request, intake, body, activity)
        if signer is None:
            return Response(status_code=202)
        await intake.writer.add({"activity_uri": activity.id, "signer": signer, "activity": doc})
        runtime.wake("inbox")
        return Response(status_code=202)
    except Refused as exc:
        return error_response(request, exc.status, exc.reason)
    except (QueueUnavailable, SQLAlchemyError, OSError) as exc:
        log.warning("inbox unavailable: %s: %s", type(exc).__name__, exc)
        return error_response(request, 503, "inbox temporarily unavailable", {"Retry-After": "30"})
    except Exception:
        log.exception("unexpected failure in the inbox")
        return error_response(request, 503, "inbox temporarily unavailable", {"Retry-After": "60"})


async def shared_inbox(request: Request) -> Response:
    return await _receive(request)


async def user_inbox(request: Request) -> Response:
    runtime = request.app.state.runtime
    try:
        async with runtime.sessions() as session:
            actor = await find_local_actor(session, runtime.settings.domain, request.path_params["username"])
    except SQLAlchemyError as exc:
        log.warning("inbox unavailable: %s", exc)
        return error_response(request, 503, "inbox temporarily unavailable", {"Retry-After": "30"})
    if actor is None:
        return error_response(request, 404, "no such user")
    return await _receive(request)


ROUTES: list[Route] = [
    Route("/inbox", shared_inbox, methods=["POST"]),
    Route("/actor/inbox", shared_inbox, methods=["POST"]),  # the instance actor's (relays answer there)
    Route("/users/{username}/inbox", user_inbox, methods=["POST"]),
]
