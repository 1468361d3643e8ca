"""Visibility <-> ActivityPub addressing (to/cc), following Mastodon.

Curbside adds a fifth visibility, `local` (members only), which never leaves the server.
"""
from typing import Iterable
from urllib.parse import urlsplit

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_PUBLIC_FORMS = {PUBLIC, "as:Public", "Public"}

PUBLIC_VISIBILITY = "public"
UNLISTED = "unlisted"
PRIVATE = "private"
DIRECT = "direct"
LOCAL = "local"
VISIBILITIES = (PUBLIC_VISIBILITY, UNLISTED, PRIVATE, DIRECT, LOCAL)


class AddressingError(ValueError):
    """A visibility that cannot be addressed; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_public(recipient: object) -> bool:
    """True for the Public collection in any of its spellings (full IRI, as:Public, Public)."""
    return isinstance(recipient, str) and recipient in _PUBLIC_FORMS


def is_federated(visibility: str) -> bool:
    """Whether posts of this visibility are ever sent to other servers."""
    _check(visibility)
    return visibility != LOCAL


def _check(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise AddressingError(f"unknown visibility {visibility!r}")


def _unique(items: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    seen, out = set(exclude), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def address(visibility: str, *, followers_url: str, mentioned: list[str]) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a post by an author whose followers collection is `followers_url`.

    public: to Public, cc followers + mentioned; unlisted: to followers, cc Public +
    mentioned; private: to followers, cc mentioned; direct: to mentioned only.
    Raises AddressingError for `local` (never federated) and unknown visibilities.
    """
    _check(visibility)
    if visibility == LOCAL:
        raise AddressingError("local (members-only) posts are never federated")
    if visibility == DIRECT:
        return _unique(mentioned), []
    to = {PUBLIC_VISIBILITY: [PUBLIC], UNLISTED: [followers_url], PRIVATE: [followers_url]}[visibility]
    cc = {PUBLIC_VISIBILITY: [followers_url], UNLISTED: [PUBLIC], PRIVATE: []}[visibility]
    return to, cc + _unique(mentioned, exclude=to + cc)


def looks_like_followers(recipient: str) -> bool:
    """Guess whether an IRI names a followers collection (…/followers, /followers/<name>)."""
    try:
        segments = [s for s in urlsplit(recipient).path.split("/") if s]
    except ValueError:
        return False
    return "followers" in segments[-2:]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


def visibility_from(to: list[str], cc: list[str], *, followers_url: str | None) -> str:
    """The visibility of an incoming object from its audience, as Mastodon decides it.

    Public in `to` -> public; Public in `cc` -> unlisted; the author's followers
    collection, or anything that looks like a followers collection -> private;
    only actors -> direct.
    """
    to, cc = _as_list(to), _as_list(cc)
    if any(is_public(r) for r in to):
        return PUBLIC_VISIBILITY
    if any(is_public(r) for r in cc):
        return UNLISTED
    everyone = to + cc
    if (followers_url and followers_url in everyone) or any(map(looks_like_followers, everyone)):
        return PRIVATE
    return DIRECT


def addressees(doc: dict) -> set[str]:
    """Every actor an object or activity names as a recipient: `to`, `cc`, `audience` (FEP-1b12) and the
    hrefs of its Mention tags (how Mastodon users post to a group)."""
    named: set[str] = set()
    for key in ("to", "cc", "audience"):
        value = doc.get(key)
        if isinstance(value, str):
            named.add(value)
        elif isinstance(value, list):
            named.update(filter(_is_str, value))
    tags = doc.get("tag")
    for tag in tags if isinstance(tags, list) else (tags,):
        if isinstance(tag, dict) and tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
            named.add(tag["href"])
    return named


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def is_publicly_addressed(doc: dict) -> bool:
    """Whether the Public collection is among `to` or `cc` (public or unlisted)."""
    return any(is_public(v) for key in ("to", "cc")
               for v in (doc.get(key) if isinstance(doc.get(key), list) else [doc.get(key)]))
