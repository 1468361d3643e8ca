"""Small readers that turn the many real-world shapes of an AS property into one value.

Each takes the raw JSON value; they return None (or empty) for absent or unusable values
and raise VocabError only where the caller says the value is required.
"""
import math
import re
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import urlsplit

from federation.addressing import PUBLIC, is_public

MAX_URL = 2048
MAX_NAME = 500
MAX_TEXT = 5000
MAX_LIST = 1000
AS_PREFIXES = ("as:", "https://www.w3.org/ns/activitystreams#")


class VocabError(ValueError):
    """An ActivityStreams document we refuse; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def require_dict(doc: Any, what: str = "document") -> dict:
    """`doc` if it is a JSON object, else VocabError."""
    if not isinstance(doc, dict):
        raise VocabError(f"{what} must be a JSON object, not {type(doc).__name__}")
    return doc


def as_list(value: Any, limit: int = MAX_LIST) -> list:
    """A property that may be absent, a single value or a list, as a list (capped)."""
    if value is None:
        return []
    return list(value[:limit]) if isinstance(value, list) else [value]


def type_names(value: Any) -> list[str]:
    """The `type` as a list of bare names: 'as:Note' and the full IRI become 'Note'."""
    names = []
    for item in as_list(value, 10):
        if isinstance(item, str):
            for prefix in AS_PREFIXES:
                item = item.removeprefix(prefix)
            names.append(item[:MAX_NAME])
    return names


def pick_type(doc: dict, allowed: frozenset[str] | set[str]) -> str | None:
    """The first of the document's types that is in `allowed`."""
    return next((t for t in type_names(doc.get("type")) if t in allowed), None)


# The usual shape of an id: scheme, a plain host name, maybe a port, then path, query or fragment without
# spaces. Whatever matches passes the full check below as well (no userinfo, brackets or odd host
# characters for urlsplit to interpret), so matching it skips urlsplit, a tenth of the worker's CPU.
_PLAIN_URL = re.compile(r"(?i:(https?))://[A-Za-z0-9.-]+(?::([0-9]{1,5}))?(?:[/?#]\S*)?")


def check_url(value: Any, *, allow_http: bool) -> str | None:
    """`value` if it is an absolute https (or http when allowed) URL with a host."""
    if not isinstance(value, str) or len(value) > MAX_URL or not value.isprintable():
        return None
    plain = _PLAIN_URL.fullmatch(value)
    if plain is not None and (allow_http or len(plain[1]) == 5) and 0 < int(plain[2] or 1) <= 65535:
        return value
    return _parsed_url_ok(value, allow_http=allow_http)


def _parsed_url_ok(value: str, *, allow_http: bool) -> str | None:
    """check_url's full check, by urlsplit, of a printable string of at most MAX_URL characters."""
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme.lower() not in schemes or not parts.hostname or not port_ok:
        return None
    if " " in value or "@" in parts.netloc:
        return None
    return value


def require_id(value: Any, what: str, *, allow_http: bool) -> str:
    """An id-like value (string or object with `id`) as a checked URL, else VocabError."""
    found = id_of(value, allow_http=allow_http)
    if found is None:
        scheme = "http(s)" if allow_http else "https"
        raise VocabError(f"{what} must be an absolute {scheme} URL, got {_show(value)}")
    return found


def _show(value: Any) -> str:
    return repr(value)[:80]


def id_of(value: Any, *, allow_http: bool) -> str | None:
    """The id of a reference given as a string, an object with `id`, or a Link's `href`."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    return check_url(value, allow_http=allow_http)


def ids_of(value: Any, *, allow_http: bool, limit: int = MAX_LIST) -> tuple[str, ...]:
    """Every usable id in a single-or-list property, in order, without duplicates."""
    found = (id_of(item, allow_http=allow_http) for item in as_list(value, limit))
    return tuple(dict.fromkeys(i for i in found if i))


def audience(value: Any, *, allow_http: bool) -> tuple[str, ...]:
    """`to`/`cc`: ids, with every spelling of Public normalised to the full IRI."""
    items = as_list(value, MAX_LIST + 1)
    if len(items) > MAX_LIST:
        raise VocabError(f"audience has more than {MAX_LIST} recipients")
    found = (PUBLIC if is_public(item) else id_of(item, allow_http=allow_http) for item in items)
    return tuple(dict.fromkeys(i for i in found if i))


def _links(value: Any, depth: int = 0) -> Iterator[tuple[str, str | None]]:
    for item in as_list(value, 50):
        if isinstance(item, str):
            yield item, None
        elif isinstance(item, dict) and depth < 2:
            media = item.get("mediaType") if isinstance(item.get("mediaType"), str) else None
            href = item.get("href") if "href" in item else item.get("url")
            if isinstance(href, str):
                yield href, media
            else:
                yield from _links(href, depth + 1)


def url_of(value: Any, *, allow_http: bool, prefer: str | None = "text/html") -> str | None:
    """The best URL in a `url`/`icon`-like property: a string, Link, Image or list of them.

    Links of media type `prefer` win, then untyped ones, then the rest; with `prefer`
    None the first usable one wins."""
    ranked = []
    for order, (href, media) in enumerate(_links(value)):
        if check_url(href, allow_http=allow_http):
            rank = 0 if prefer is None or media == prefer else 1 if media is None else 2
            ranked.append((rank, order, href))
    return min(ranked)[2] if ranked else None


def text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A string property trimmed to `limit` characters; None when absent or not a string."""
    if not isinstance(value, str):
        return None
    return value[:limit]


def language_map(value: Any) -> dict[str, str]:
    """A `contentMap`-like value as {language: string}, ignoring anything malformed."""
    if not isinstance(value, dict):
        return {}
    return {k[:35]: v for k, v in list(value.items())[:50] if isinstance(k, str) and isinstance(v, str)}


def boolean(value: Any, default: bool = False) -> bool:
    """A JSON boolean, or `default` for anything else (null, strings, numbers)."""
    return value if isinstance(value, bool) else default


def integer(value: Any, low: int = 0, high: int = 10**12) -> int | None:
    """A whole number within [low, high]; floats with no fraction are accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        return None
    return int(value) if low <= value <= high else None


def number(value: Any, low: float, high: float) -> float | None:
    """A finite number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and low <= value <= high else None


def timestamp(value: Any) -> datetime | None:
    """An ISO 8601 date-time as an aware UTC datetime (naive ones are taken as UTC)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
