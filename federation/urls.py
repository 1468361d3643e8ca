"""URL origins, for checking that an object comes from where it claims to."""
import re
from functools import lru_cache
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The usual shape: http(s), a plain host name, maybe a port, then a path, query or fragment (or nothing). Its
# origin is read off the match, with the answers urlsplit gives (ids of new posts are each seen once: no cache).
_PLAIN = re.compile(r"(https?)://([a-z0-9.-]+)(?::([0-9]{1,5}))?(?=[/?#]|$)")


def origin(url: str) -> str:
    """Return `scheme://host[:port]` of `url`, lowercased, without a default port.

    Raises ValueError when `url` has no scheme or host, or an invalid port.
    """
    plain = _PLAIN.match(url)
    if plain is None:
        return _origin_of(url)
    scheme, host, port = plain.groups()
    if port is None or int(port) == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    if int(port) > 65535:
        raise ValueError(f"port out of range in {url!r}")
    return f"{scheme}://{host}:{int(port)}"


@lru_cache(maxsize=8192)  # the same few actor ids are checked on every inbox POST
def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname  # already lowercased, brackets and userinfo stripped
    if not scheme or not host:
        raise ValueError(f"not an absolute URL: {url!r}")
    port = parts.port
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def same_origin(a: str, b: str) -> bool:
    """True when both URLs parse and share scheme, host and port; never raises."""
    try:
        return origin(a) == origin(b)
    except ValueError:
        return False


def key_belongs_to(key_id: str, owner: str) -> bool:
    """Whether `key_id` may be `owner`'s key, as the key's origin would confirm it: a key named by a
    fragment lives in the document before the '#' (Mastodon's `<actor>#main-key`), so that document
    must be the owner (up to a trailing '/', the case of scheme and host and a default port); a key with
    a URL of its own (GoToSocial's `<actor>/main-key`) must at least be on the owner's origin (its
    document names the owner: see the key resolver). Never raises."""
    document, fragment, _ = key_id.partition("#")
    if fragment:
        return _normalised(document) == _normalised(owner) is not None
    return same_origin(key_id, owner)


def _normalised(url: str) -> str | None:
    """`url` with its origin normalised and no trailing '/' (BookWyrm's key is `<actor>/#main-key`);
    None when it does not parse."""
    try:
        parts = urlsplit(url)
        return origin(url) + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    except ValueError:
        return None
