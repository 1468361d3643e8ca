"""Incoming activities and collections as frozen dataclasses.

Nested objects stay as the raw JSON objects they came as: the caller decides how to
parse them (parse_object, parse_actor, parse_activity) once it knows what it expects.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.vocab.actors import ACTOR_TYPES
from federation.vocab.objects import POST_TYPES
from federation.vocab.values import (
    MAX_LIST,
    MAX_TEXT,
    VocabError,
    as_list,
    audience,
    check_url,
    id_of,
    integer,
    require_dict,
    require_id,
    text,
    timestamp,
    type_names,
)

COLLECTION_TYPES = frozenset({"Collection", "OrderedCollection", "CollectionPage",
                              "OrderedCollectionPage"})
# Types that are things, not actions: an "activity" of one of these is a mistake.
NOT_ACTIVITIES = ACTOR_TYPES | POST_TYPES | COLLECTION_TYPES | {
    "Tombstone", "Document", "Link", "Mention", "Hashtag", "Emoji", "Place", "Profile",
    "Relationship", "ChatMessage", "PropertyValue"}
MAX_OBJECTS = 100

Reference = str | dict[str, Any]


@dataclass(frozen=True)
class Activity:
    """An activity: `objects` holds every object (a Flag names several), each an id or
    the nested JSON object; `content` is Flag's comment (content or summary) as given, `category`
    its reason when the sender names one (Curbside's `curbside:reportCategory`, else `category`)."""

    id: str
    type: str
    actor: str
    objects: tuple[Reference, ...] = ()
    target: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    published: datetime | None = None
    content: str | None = None
    audience: str | None = None
    category: str | None = None

    @property
    def object(self) -> Reference | None:
        """The first object (the only one for all but Flag)."""
        return self.objects[0] if self.objects else None

    @property
    def object_id(self) -> str | None:
        """The id of the first object, nested or not (unchecked for http(s) policy)."""
        first = self.object
        return first if isinstance(first, str) else id_of(first, allow_http=True)


@dataclass(frozen=True)
class Collection:
    """A (page of a) collection: `items` are ids or nested objects, `first`/`next` ids
    or a nested first page."""

    id: str | None
    type: str
    total_items: int | None = None
    items: tuple[Reference, ...] = ()
    first: Reference | None = None
    next: str | None = None
    part_of: str | None = None


def _reference(value: Any, allow_http: bool) -> Reference | None:
    if isinstance(value, dict):
        return value
    return check_url(value, allow_http=allow_http)


def _references(value: Any, allow_http: bool, limit: int) -> tuple[Reference, ...]:
    found = (_reference(item, allow_http) for item in as_list(value, limit))
    return tuple(item for item in found if item is not None)


def parse_activity(doc: dict, *, allow_http: bool = False) -> Activity:
    """Parse an activity (Create, Follow, Undo, Flag, ...), or raise VocabError.

    Requires an absolute https (http with `allow_http`) id and actor; any activity type
    is accepted except the types of things (Note, Person, Collection, ...).
    """
    require_dict(doc, "activity")
    kinds = type_names(doc.get("type"))
    if not kinds:
        raise VocabError("activity has no type")
    if any(k in NOT_ACTIVITIES for k in kinds):
        raise VocabError(f"{kinds[0]} is not an activity")
    activity_id = require_id(doc.get("id"), "activity id", allow_http=allow_http)
    actor = require_id(doc.get("actor"), "actor", allow_http=allow_http)
    objects = _references(doc.get("object"), allow_http, MAX_OBJECTS)
    if doc.get("object") and not objects:
        raise VocabError(f"object is neither an object nor a usable id: {repr(doc['object'])[:80]}")
    summary = doc.get("content") if isinstance(doc.get("content"), str) else doc.get("summary")
    return Activity(
        id=activity_id, type=kinds[0], actor=actor,
        objects=objects,
        target=id_of(doc.get("target"), allow_http=allow_http),
        to=audience(doc.get("to"), allow_http=allow_http),
        cc=audience(doc.get("cc"), allow_http=allow_http),
        published=timestamp(doc.get("published")),
        content=text(summary, MAX_TEXT),
        audience=id_of(doc.get("audience"), allow_http=allow_http),
        category=_category(doc),
    )


def _category(doc: dict) -> str | None:
    for key in ("curbside:reportCategory", "category"):
        value = doc.get(key)
        if isinstance(value, str) and 0 < len(value) <= 40:
            return value
    return None


def parse_collection(doc: dict, *, allow_http: bool = False) -> Collection:
    """Parse a Collection, OrderedCollection or one of their pages, or raise VocabError."""
    require_dict(doc, "collection")
    kind = next((k for k in type_names(doc.get("type")) if k in COLLECTION_TYPES), None)
    if kind is None:
        raise VocabError(f"unsupported collection type {repr(doc.get('type'))[:60]}")
    items = doc.get("orderedItems") if "orderedItems" in doc else doc.get("items")
    first = doc.get("first")
    return Collection(
        id=id_of(doc.get("id"), allow_http=allow_http), type=kind,
        total_items=integer(doc.get("totalItems")),
        items=_references(items, allow_http, MAX_LIST),
        first=first if isinstance(first, dict) else check_url(first, allow_http=allow_http),
        next=id_of(doc.get("next"), allow_http=allow_http),
        part_of=id_of(doc.get("partOf"), allow_http=allow_http),
    )
