"""Incoming actors (Person, Service, Application, Group, Organization) as a frozen `Actor`."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from federation.html import ContentError, sanitize_html
from federation.urls import key_belongs_to
from federation.vocab.values import (
    MAX_NAME,
    VocabError,
    as_list,
    boolean,
    check_url,
    id_of,
    ids_of,
    pick_type,
    require_dict,
    require_id,
    text,
    timestamp,
    type_names,
    url_of,
)

ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
MAX_FIELDS = 50
MAX_PEM = 10_000


@dataclass(frozen=True)
class ProfileField:
    """A PropertyValue of the profile: `name` is plain text, `value_html` sanitised HTML."""

    name: str
    value_html: str


@dataclass(frozen=True)
class Actor:
    """An actor's public profile and the endpoints needed to talk to it."""

    id: str
    type: str
    inbox: str
    preferred_username: str | None = None
    name: str | None = None
    summary_html: str = ""
    outbox: str | None = None
    followers: str | None = None
    following: str | None = None
    shared_inbox: str | None = None
    public_key_id: str | None = None
    public_key_pem: str | None = None
    icon_url: str | None = None
    image_url: str | None = None
    url: str | None = None
    manually_approves_followers: bool = False
    discoverable: bool = False
    indexable: bool = False  # toot:indexable: public posts may be found by full-text search
    published: datetime | None = None
    fields: tuple[ProfileField, ...] = ()
    also_known_as: tuple[str, ...] = ()
    moved_to: str | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    featured: str | None = None


def _html(raw: Any, what: str) -> str:
    try:
        return sanitize_html(raw) if isinstance(raw, str) else ""
    except ContentError as error:
        raise VocabError(f"{what}: {error.reason}") from None


def _public_key(doc: dict, actor_id: str, allow_http: bool) -> tuple[str | None, str | None]:
    """The key the actor owns: (key id, PEM). A key owned by someone else is ignored, and so is a
    key whose id its origin would not confirm as the actor's (see `key_belongs_to`): an actor
    naming another's key id would otherwise stand in for that key's real owner."""
    for key in as_list(doc.get("publicKey"), 10):
        if isinstance(key, str):
            key_id, pem = check_url(key, allow_http=allow_http), None
        elif isinstance(key, dict):
            owner = key.get("owner")
            if owner is not None and id_of(owner, allow_http=allow_http) != actor_id:
                continue
            key_id, pem = check_url(key.get("id"), allow_http=allow_http), text(key.get("publicKeyPem"), MAX_PEM + 1)
        else:
            continue
        if key_id is not None and not key_belongs_to(key_id, actor_id):
            continue
        if pem is not None and (len(pem) > MAX_PEM or "BEGIN" not in pem):
            pem = None
        return key_id, pem
    return None, None


def _endpoints(doc: dict, allow_http: bool) -> dict[str, str]:
    raw = doc.get("endpoints")
    if not isinstance(raw, dict):
        return {}
    found = ((k[:100], check_url(v, allow_http=allow_http)) for k, v in list(raw.items())[:20])
    return {k: v for k, v in found if v}


def _fields(doc: dict) -> tuple[ProfileField, ...]:
    found = []
    for item in as_list(doc.get("attachment"), MAX_FIELDS):
        if not isinstance(item, dict) or "PropertyValue" not in type_names(item.get("type")):
            continue
        name, value = (text(item.get("name"), 255) or "").strip(), item.get("value")
        if name and isinstance(value, str):
            found.append(ProfileField(name, _html(value[:5000], "field value")))
    return tuple(found)


def parse_actor(doc: dict, *, allow_http: bool = False) -> Actor:
    """Parse an actor document, or raise VocabError with the reason.

    The id and inbox must be absolute https (http with `allow_http`) URLs; summary and
    field values are sanitised HTML, names plain text; `shared_inbox` comes from
    `endpoints.sharedInbox` (or a top-level `sharedInbox`).
    """
    require_dict(doc, "actor")
    kind = pick_type(doc, ACTOR_TYPES)
    if kind is None:
        raise VocabError(f"unsupported actor type {repr(doc.get('type'))[:60]}")
    actor_id = require_id(doc.get("id"), "actor id", allow_http=allow_http)
    key_id, pem = _public_key(doc, actor_id, allow_http)
    endpoints = _endpoints(doc, allow_http)
    link = lambda key: id_of(doc.get(key), allow_http=allow_http)  # noqa: E731
    return Actor(
        id=actor_id, type=kind,
        inbox=require_id(doc.get("inbox"), "inbox", allow_http=allow_http),
        preferred_username=text(doc.get("preferredUsername"), MAX_NAME) or None,
        name=(text(doc.get("name"), MAX_NAME) or "").strip() or None,
        summary_html=_html(doc.get("summary"), "summary"),
        outbox=link("outbox"), followers=link("followers"), following=link("following"),
        shared_inbox=endpoints.get("sharedInbox") or link("sharedInbox"),
        public_key_id=key_id, public_key_pem=pem,
        icon_url=url_of(doc.get("icon"), allow_http=allow_http, prefer=None),
        image_url=url_of(doc.get("image"), allow_http=allow_http, prefer=None),
        url=url_of(doc.get("url"), allow_http=allow_http),
        manually_approves_followers=boolean(doc.get("manuallyApprovesFollowers")),
        discoverable=boolean(doc.get("discoverable")), indexable=boolean(doc.get("indexable")),
        published=timestamp(doc.get("published")), fields=_fields(doc),
        also_known_as=ids_of(doc.get("alsoKnownAs"), allow_http=allow_http, limit=20),
        moved_to=link("movedTo"), endpoints=endpoints, featured=link("featured"),
    )
