"""ActivityPub endpoints: inbox. POST /inbox (shared) and POST /users/{username}/inbox.

An activity is checked here only as far as it must be before it is stored: well-formed JSON, a
valid HTTP signature (with a signed Digest) by a key of a server we accept activities from. It is
then queued with its signer (server.jobs.inbox processes it) and answered 202 once its row is committed.

Only the actor speaks for itself: its body is taken as its word only when the signing key belongs to
the activity's actor. Another signer (a reply forwarded by the author of the post it answers, a
Group relaying, a server's instance key), even on the actor's own host, is queued like any other, and
the runner takes nothing of its body on trust (server.services.federation.inbox.forwarded): objects come from
their own origin, or the activity is dropped with the reason. Curbside verifies no Linked Data
signatures.

This is the busiest endpoint of a federated server, so it is a plain ASGI app: `InboxShortcut`, in
front of the whole middleware stack, hands it inbox POSTs past routing and every middleware (doing
their work for it), and it reads headers and body from the ASGI messages itself (it enforces the body
limit on its own). Only error answers build a Starlette Request.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation import vocab
from federation.json_input import JsonRefused, parse_document
from federation.signatures import LowerHeaders, PublicKeyInfo, SignatureError, load_public_key, verify_request
from federation.urls import same_origin
from federation.vocab.values import id_of, require_id
from server.convert.as_to_actor import actor_domain
from server.errors import error_response
from server.logs import request_id
from server.metrics import process_metrics
from server.middleware import log_access, request_id_of
from server.services.federation.inbox.intake import Intake, QueueUnavailable, Row, inbox_allowed, intake_of
from server.services.federation.remote_actors import use_new_key
from server.services.social.visibility_to_servers import find_member

log = logging.getLogger("curbside.inbox")


class Refused(Exception):
    def __init__(self, status: int, reason: str, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers


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


def parse_body(body: bytes, allow_http: bool) -> tuple[str, dict[str, Any], Envelope]:
    """(the JSON text to store, the document, its envelope); Refused(400) for anything else, text that
    cannot be stored included (federation.json_input).

    The text stored is the body itself, not the document encoded again: it was parsed once here,
    and it is read back by the same parser."""
    try:
        text = body.decode("utf-8")  # RFC 8259: JSON between systems is UTF-8
        doc = parse_document(text)
    except UnicodeDecodeError:
        raise Refused(400, "body is not valid JSON: not UTF-8") from None
    except JsonRefused as exc:
        raise Refused(400, f"body refused: {exc.reason}") from None
    # Only what intake needs (id, actor, type); the runner parses the whole activity.
    try:
        types = vocab.type_names(doc.get("type"))
        if not types:
            raise vocab.VocabError("activity has no type")
        return text, doc, Envelope(require_id(doc.get("id"), "activity id", allow_http=allow_http),
                                   require_id(doc.get("actor"), "actor", allow_http=allow_http),
                                   types[0], doc.get("object"))
    except vocab.VocabError as exc:
        raise Refused(400, exc.reason) from None


def _self_delete(activity: Envelope) -> bool:
    return activity.type == "Delete" and activity.object_id == activity.actor


def _headers(scope: Scope) -> LowerHeaders:
    """Header fields by lower-case name; repeated fields joined with ", " as HTTP allows."""
    out = LowerHeaders()
    for name, value in scope["headers"]:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1").strip()
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _target(scope: Scope) -> str:
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    return (path + (b"?" + query if query else b"")).decode("latin-1")


async def _verify(scope: Scope, headers: LowerHeaders, intake: Intake, body: bytes, activity: Envelope) -> str | None:
    """The signer's actor id (who may not be the activity's actor), or None for a self-Delete whose key
    we never knew (nothing to delete)."""
    try:
        verified = await verify_request("POST", _target(scope), headers, body, intake.resolve_key,
                                        require_digest=True)
    except SignatureError as exc:
        # Mastodon's answer to deleted accounts whose keys are gone: accept, do nothing.
        if exc.reason == "unknown key" and _self_delete(activity):
            return None
        raise Refused(401, f"signature refused: {exc.reason}") from None
    domain = actor_domain(verified.owner)
    if not same_origin(verified.owner, activity.actor) and not await inbox_allowed(intake.runtime, domain):
        raise Refused(403, f"activities signed on {domain} are not accepted")
    return verified.owner


async def _take_new_key(intake: Intake, doc: dict[str, Any], actor: str) -> None:
    """An actor's own (verified) Update carrying a key: from now on that key, and only it, verifies
    the actor's requests, without waiting for the runner to store the profile or for caches to expire.
    Other web processes read the new key from the database once their cached one expires (KEY_TTL)."""
    document = doc.get("object")
    if not isinstance(document, dict):
        return  # by id only: the runner fetches it, and the key is refetched when a signature fails
    try:
        parsed = vocab.parse_actor(document, allow_http=intake.runtime.settings.allow_http)
        if parsed.id != actor or not parsed.public_key_pem or not parsed.public_key_id:
            return  # (parse_actor keeps only a key whose id is the actor's: federation.urls.key_belongs_to)
        load_public_key(parsed.public_key_pem)  # an unusable key replaces nothing
    except (vocab.VocabError, SignatureError):
        return
    await use_new_key(intake.runtime, intake.keys, PublicKeyInfo(parsed.public_key_id, actor, parsed.public_key_pem))
    log.info("new key %s of %s in use", parsed.public_key_id, actor)


async def _read_body(scope: Scope, receive: Receive, headers: LowerHeaders, limit: int) -> bytes | None:
    """The whole body (None if the client went away); Refused(413) beyond `limit` bytes."""
    length = headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise Refused(413, f"request body too large (limit {limit} bytes)")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"request body too large (limit {limit} bytes)")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _local_user_exists(intake: Intake, username: str) -> bool:
    if intake.local_users.get(username):
        return True
    runtime = intake.runtime
    async with runtime.sessions() as session:
        found = await find_member(session, runtime.settings.domain, runtime.urls.instance_actor, username) is not None
    if found:
        intake.local_users.put(username, True)
    return found


async def _accept(scope: Scope, receive: Receive, intake: Intake, username: str | None) -> bool:
    """Check and queue one POST; True once stored (or rightly dropped), False if the sender left."""
    runtime = intake.runtime
    headers = _headers(scope)
    body = await _read_body(scope, receive, headers, runtime.settings.max_body_bytes)
    if body is None:
        return False
    if username is not None and not await _local_user_exists(intake, username):
        raise Refused(404, "no such user")
    text, doc, activity = parse_body(body, runtime.settings.allow_http)
    if same_origin(activity.actor, runtime.settings.base_url):
        raise Refused(403, "activities of local actors are not accepted from outside")
    domain = actor_domain(activity.actor)
    if not await inbox_allowed(runtime, domain):
        raise Refused(403, f"activities from {domain} are not accepted")
    signer = await _verify(scope, headers, intake, body, activity)
    if signer == activity.actor and activity.type == "Update" and activity.object_id == activity.actor:
        await _take_new_key(intake, doc, activity.actor)
    if signer is not None:
        await intake.writer.add(Row(activity.id, signer, text))
        runtime.wake("inbox")
    return True


_EMPTY = {"type": "http.response.body", "body": b""}


def _username(path: str) -> str | None:
    """The member of a /users/{username}/inbox path; None for the shared inboxes."""
    if path.startswith("/users/"):
        return path[len("/users/"):-len("/inbox")]
    return None


async def inbox_app(scope: Scope, receive: Receive, send: Send, headers: Sequence[tuple[bytes, bytes]] = ()) -> int:
    """POST to an inbox: 202 once queued; 400, 401, 403, 404, 413 as refused; 503 when the queue is
    unavailable (never a 500: any unexpected failure is logged and answered 503). Returns the status
    answered (500 if the sender left before an answer); `headers` are added to the answer."""
    try:
        intake = intake_of(scope["app"].state)
        if not await _accept(scope, receive, intake, _username(scope["path"])):
            return 500
        await send({"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"0"), *headers]})
        await send(_EMPTY)
        return 202
    except Refused as exc:
        failure = exc
    except (QueueUnavailable, SQLAlchemyError, OSError) as exc:
        log.warning("inbox unavailable: %s: %s", type(exc).__name__, exc)
        failure = Refused(503, "inbox temporarily unavailable", {"Retry-After": "30"})
    except Exception:
        log.exception("unexpected failure in the inbox")
        failure = Refused(503, "inbox temporarily unavailable", {"Retry-After": "60"})

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *headers]
        await send(message)

    answer = error_response(Request(scope), failure.status, failure.reason, failure.headers)
    await answer(scope, receive, send_with_headers)
    return failure.status


class _Endpoint:
    """inbox_app as a Starlette route endpoint (an object, so that Starlette treats it as ASGI)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await inbox_app(scope, receive, send)


def is_inbox_post(scope: Scope) -> bool:
    """POST /inbox, /actor/inbox, /users/{one path segment}/inbox or /groups/{one path segment}/inbox."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path = scope["path"]
    if path in ("/inbox", "/actor/inbox") or _is_group_inbox(path):
        return True
    name = _username(path) if path.endswith("/inbox") else None
    return bool(name) and "/" not in name


def _is_group_inbox(path: str) -> bool:
    """/groups/{name}/inbox: taken as the shared inbox is (what a Follow or Create is about says which group)."""
    name = path[len("/groups/"):-len("/inbox")] if path.startswith("/groups/") and path.endswith("/inbox") else ""
    return bool(name) and "/" not in name


class InboxShortcut:
    """The app's outermost layer: inbox POSTs go straight to inbox_app, past routing and every middleware, and
    it does for them what those do: a request id (echoed, and on log lines), the access line, the security
    headers it is given, the request metrics when they are kept. Everything else goes down the app's stack, as
    does an inbox path with a NUL byte (which RequestIdMiddleware refuses)."""

    def __init__(self, app: ASGIApp, answer_headers: list[tuple[bytes, bytes]], metrics: bool):
        self.app, self.answer_headers, self.metrics = app, answer_headers, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_inbox_post(scope) or "\x00" in scope["path"]:
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500
        rid = request_id_of(scope)
        token = request_id.set(rid)
        try:
            status = await inbox_app(scope, receive, send, [*self.answer_headers, (b"x-request-id", rid.encode())])
        finally:
            log_access(scope, status, start)
            if self.metrics:
                process_metrics().request("POST", _route(scope["path"]).path, status, time.perf_counter() - start)
            request_id.reset(token)


def _route(path: str) -> Route:
    """The route of an inbox POST's path (is_inbox_post)."""
    if path in ("/inbox", "/actor/inbox"):
        return ROUTES[0] if path == "/inbox" else ROUTES[1]
    return ROUTES[2] if path.startswith("/users/") else ROUTES[3]


ROUTES: list[Route] = [  # reached without the shortcut too (and they answer 405 to other methods)
    Route("/inbox", _Endpoint(), methods=["POST"], name="shared_inbox"),
    Route("/actor/inbox", _Endpoint(), methods=["POST"], name="instance_inbox"),  # where relays answer
    Route("/users/{username}/inbox", _Endpoint(), methods=["POST"], name="user_inbox"),
    Route("/groups/{name}/inbox", _Endpoint(), methods=["POST"], name="group_inbox"),
]
