"""Incoming ActivityStreams JSON parsed into small frozen dataclasses.

Remote JSON is hostile: every parser either returns a value or raises VocabError with
a reason, never another exception. Ids must be absolute https URLs (http too when
`allow_http=True`, for development and test networks).
"""
from federation.vocab.activities import (
    COLLECTION_TYPES,
    NOT_ACTIVITIES,
    Activity,
    Collection,
    parse_activity,
    parse_collection,
)
from federation.vocab.actors import ACTOR_TYPES, Actor, ProfileField, parse_actor
from federation.vocab.objects import (
    POST_TYPES,
    Attachment,
    Poll,
    PollOption,
    Post,
    Tag,
    parse_object,
)
from federation.vocab.values import VocabError, require_dict, type_names

__all__ = [
    "Activity", "Actor", "Attachment", "Collection", "Poll", "PollOption", "Post",
    "ProfileField", "Tag", "VocabError", "parse_activity", "parse_actor", "parse_collection",
    "parse_document", "parse_object",
]


def parse_document(doc: dict, *, allow_http: bool = False) -> Activity | Actor | Post | Collection:
    """Parse any fetched or delivered document with the parser its `type` calls for."""
    kinds = set(type_names(require_dict(doc).get("type")))
    if kinds & ACTOR_TYPES:
        return parse_actor(doc, allow_http=allow_http)
    if kinds & POST_TYPES:
        return parse_object(doc, allow_http=allow_http)
    if kinds & COLLECTION_TYPES:
        return parse_collection(doc, allow_http=allow_http)
    if kinds & NOT_ACTIVITIES:
        raise VocabError(f"unsupported document type {sorted(kinds)[0]}")
    return parse_activity(doc, allow_http=allow_http)
