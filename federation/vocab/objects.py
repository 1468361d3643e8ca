"""Incoming posts (Note, Article, Question, Page, Event, ...) as one frozen `Post`."""
import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.html import ContentError, html_to_text, sanitize_html
from federation.text import HASHTAG_NAME_RE
from federation.vocab.values import (
    MAX_NAME,
    MAX_TEXT,
    VocabError,
    as_list,
    audience,
    boolean,
    check_url,
    id_of,
    ids_of,
    integer,
    language_map,
    number,
    pick_type,
    require_dict,
    require_id,
    text,
    timestamp,
    type_names,
    url_of,
)

# Shown as they are, like Mastodon's supported types.
NOTE_TYPES = frozenset({"Note", "Question"})
# Mastodon "converts" these: the title leads and the summary is no content warning.
CONVERTED_TYPES = frozenset({"Article", "Page", "Event", "Video", "Audio", "Image"})
POST_TYPES = NOTE_TYPES | CONVERTED_TYPES
MEDIA_TYPES = frozenset({"Document", "Image", "Video", "Audio"})
MAX_TAGS = 100
MAX_ATTACHMENTS = 20
MAX_POLL_OPTIONS = 50
_LANGUAGE_RE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*\Z")


@dataclass(frozen=True)
class Tag:
    """A Mention (href = actor), Hashtag (name without '#') or Emoji (name without colons)."""

    type: str
    name: str | None
    href: str | None = None
    icon_url: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A media attachment; `description` is the alt text (AS `name`)."""

    url: str
    type: str
    media_type: str | None = None
    description: str | None = None
    blurhash: str | None = None
    width: int | None = None
    height: int | None = None
    focal_point: tuple[float, float] | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class PollOption:
    name: str
    votes: int


@dataclass(frozen=True)
class Poll:
    """A Question's choices: `multiple` for anyOf, `closed` once closed (or its time passed)."""

    options: tuple[PollOption, ...]
    multiple: bool
    end_time: datetime | None
    closed: bool
    voters_count: int | None


@dataclass(frozen=True)
class Post:
    """A Note-like object, sanitised and normalised. `summary` is the content warning (plain
    text), `name` the title of converted types, `attributions` every attributedTo id."""

    id: str
    type: str
    attributed_to: str
    content_html: str
    summary: str | None = None
    name: str | None = None
    sensitive: bool = False
    in_reply_to: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    url: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None
    poll: Poll | None = None
    attributions: tuple[str, ...] = ()
    context: str | None = None
    audience: str | None = None


def _localised(doc: dict, key: str) -> tuple[str | None, str | None]:
    """The value of `key` (else the first of `keyMap`) and the language the map gives it."""
    mapped = language_map(doc.get(f"{key}Map"))
    first_language = next(iter(mapped), None)
    value = doc.get(key)
    if isinstance(value, str) and value:
        return value, first_language
    return (mapped[first_language], first_language) if first_language else (None, None)


def _sanitised(raw: str | None, what: str) -> str:
    try:
        return sanitize_html(raw or "")
    except ContentError as error:
        raise VocabError(f"{what}: {error.reason}") from None


def _plain(raw: str | None, limit: int) -> str | None:
    if not raw:
        return None
    try:
        return html_to_text(raw)[:limit] or None
    except ContentError as error:
        raise VocabError(f"summary: {error.reason}") from None


def _language(doc: dict, *found: str | None) -> str | None:
    lemmy = doc.get("language")
    candidates = list(found) + [lemmy.get("identifier") if isinstance(lemmy, dict) else None]
    return next((c for c in candidates if isinstance(c, str) and _LANGUAGE_RE.match(c)
                 and c != "und"), None)


def _author(doc: dict, allow_http: bool, default: str | None) -> tuple[str, tuple[str, ...]]:
    raw = doc.get("attributedTo") or doc.get("actor")
    if raw is None and default is not None:
        return default, (default,)
    every = ids_of(raw, allow_http=allow_http, limit=20)
    if not every:
        raise VocabError(f"attributedTo must name an actor by URL, got {repr(raw)[:80]}")
    # PeerTube lists the account and its channel; the Person is the author.
    people = [id_of(i, allow_http=allow_http) for i in as_list(raw, 20)
              if isinstance(i, dict) and "Person" in type_names(i.get("type"))]
    return next((p for p in people if p), every[0]), every


def parse_tag(raw: Any, *, allow_http: bool) -> Tag | None:
    """One entry of `tag`, or None when it is of no use (unknown type, bad name or href)."""
    if not isinstance(raw, dict):
        return None
    kinds = type_names(raw.get("type"))
    name = text(raw.get("name"), MAX_NAME)
    if "Hashtag" in kinds:
        bare = (name or "").removeprefix("#")
        return Tag("Hashtag", bare, check_url(raw.get("href"), allow_http=allow_http)) \
            if HASHTAG_NAME_RE.match(bare) else None
    if "Mention" in kinds:
        href = check_url(raw.get("href"), allow_http=allow_http)
        return Tag("Mention", name, href) if href else None
    if "Emoji" in kinds:
        icon = url_of(raw.get("icon"), allow_http=allow_http, prefer=None)
        shortcode = (name or "").strip(":")
        return Tag("Emoji", shortcode, check_url(raw.get("id"), allow_http=allow_http), icon) \
            if shortcode and icon else None
    return None


def _tags(doc: dict, allow_http: bool) -> tuple[Tag, ...]:
    found = (parse_tag(t, allow_http=allow_http) for t in as_list(doc.get("tag"), MAX_TAGS))
    return tuple(dict.fromkeys(t for t in found if t))


def _focal_point(raw: Any) -> tuple[float, float] | None:
    if not isinstance(raw, list) or len(raw) != 2:
        return None
    x, y = (number(v, -1.0, 1.0) for v in raw)
    return (x, y) if x is not None and y is not None else None


def parse_attachment(raw: Any, *, allow_http: bool) -> Attachment | None:
    """One media attachment, or None for links, property values and unusable entries."""
    if not isinstance(raw, dict):
        return None
    kinds = type_names(raw.get("type"))
    if kinds and not MEDIA_TYPES.intersection(kinds):
        return None
    url = url_of(raw.get("url") or raw.get("href"), allow_http=allow_http, prefer=None)
    if url is None:
        return None
    media_type = text(raw.get("mediaType"), 100)
    return Attachment(
        url=url, type=next((k for k in kinds if k in MEDIA_TYPES), "Document"),
        media_type=media_type, description=text(raw.get("name") or raw.get("summary"), 1500),
        blurhash=text(raw.get("blurhash"), 100),
        width=integer(raw.get("width"), 1, 100_000), height=integer(raw.get("height"), 1, 100_000),
        focal_point=_focal_point(raw.get("focalPoint")), sensitive=boolean(raw.get("sensitive")),
    )


def _attachments(doc: dict, allow_http: bool) -> tuple[Attachment, ...]:
    raw = as_list(doc.get("attachment"), MAX_ATTACHMENTS)
    return tuple(a for a in (parse_attachment(r, allow_http=allow_http) for r in raw) if a)


def parse_poll(doc: dict) -> Poll | None:
    """The poll of a Question (oneOf / anyOf choices with their replies.totalItems)."""
    multiple = "anyOf" in doc and "oneOf" not in doc
    options = []
    for choice in as_list(doc.get("anyOf" if multiple else "oneOf"), MAX_POLL_OPTIONS):
        name = text(choice.get("name"), MAX_NAME) if isinstance(choice, dict) else None
        if name is None:
            continue
        replies = choice.get("replies")
        votes = integer(replies.get("totalItems")) if isinstance(replies, dict) else None
        options.append(PollOption(name, votes or 0))
    if not options:
        return None
    closed = doc.get("closed")
    return Poll(
        options=tuple(options), multiple=multiple, end_time=timestamp(doc.get("endTime")),
        closed=closed is True or timestamp(closed) is not None,
        voters_count=integer(doc.get("votersCount")),
    )


def _content(doc: dict, kind: str) -> tuple[str, str | None, str | None, str | None]:
    """(content_html, content warning, title, language) with Mastodon's converted-type rules."""
    content, content_language = _localised(doc, "content")
    summary, summary_language = _localised(doc, "summary")
    name, name_language = _localised(doc, "name")
    language = content_language or name_language or summary_language
    if kind in NOTE_TYPES:
        return _sanitised(content, "content"), _plain(summary, MAX_TEXT), None, language
    title = (text(name, MAX_NAME) or "").strip() or None  # AS names are plain text
    body = _sanitised(content or summary, "content")
    heading = f"<p><strong>{html_lib.escape(title, quote=False)}</strong></p>" if title else ""
    return heading + body, None, title, language


def parse_object(doc: dict, *, allow_http: bool = False, activity: Any = None,
                 default_author: str | None = None) -> Post:
    """Parse a Note-like object into a `Post`, or raise VocabError with the reason.

    `activity` (a parsed Activity) supplies `to`/`cc` when the object has none, as
    Mastodon does; `default_author` is credited when it names no author at all (Mastodon credits
    the actor of the Create carrying it: pass that actor only when it signed the Create).
    Content is sanitised; summary is plain text; converted types (Article,
    Page, Event, Video, ...) get their title prepended and no content warning.
    """
    require_dict(doc, "object")
    kind = pick_type(doc, POST_TYPES)
    if kind is None:
        raise VocabError(f"unsupported object type {repr(doc.get('type'))[:60]}")
    object_id = require_id(doc.get("id"), "object id", allow_http=allow_http)
    author, attributions = _author(doc, allow_http, default_author)
    content_html, summary, title, language = _content(doc, kind)
    to = audience(doc.get("to"), allow_http=allow_http)
    cc = audience(doc.get("cc"), allow_http=allow_http)
    if not (to or cc) and activity is not None:
        to, cc = activity.to, activity.cc
    reply = as_list(doc.get("inReplyTo"), 1)
    return Post(
        id=object_id, type=kind, attributed_to=author, content_html=content_html,
        summary=summary, name=title, sensitive=boolean(doc.get("sensitive")),
        in_reply_to=id_of(reply[0], allow_http=allow_http) if reply else None,
        published=timestamp(doc.get("published")), updated=timestamp(doc.get("updated")),
        url=url_of(doc.get("url"), allow_http=allow_http), to=to, cc=cc,
        tags=_tags(doc, allow_http), attachments=_attachments(doc, allow_http),
        language=_language(doc, language),
        poll=parse_poll(doc) if kind == "Question" else None, attributions=attributions,
        context=id_of(doc.get("context") or doc.get("conversation"), allow_http=allow_http),
        audience=id_of(doc.get("audience"), allow_http=allow_http),
    )
