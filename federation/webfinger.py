"""WebFinger (RFC 7033) and host-meta (RFC 6415): account handles to actor URLs."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from federation.urls import origin

JRD_CONTENT_TYPE = "application/jrd+json"
XRD_CONTENT_TYPE = "application/xrd+xml"
ACTIVITY_JSON = "application/activity+json"
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
_AS_PROFILE = "https://www.w3.org/ns/activitystreams"

# RFC 7565 allows more in the user part; these cover every fediverse server we know of
# and keep '/', '?', '#', '@' and whitespace out of URLs we build.
_USER = re.compile(r"[A-Za-z0-9._~+-]{1,255}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class WebfingerError(ValueError):
    """A handle or a JRD document we cannot use; `.reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_acct(resource: str) -> tuple[str, str]:
    """Split `acct:user@domain`, `user@domain` or `@user@domain` into (user, domain).

    The domain is lowercased, IDNA-encoded and may carry a port (`localhost:8001`).
    Raises WebfingerError for anything else.
    """
    if not isinstance(resource, str):
        raise WebfingerError("handle is not a string")
    handle = resource[5:] if resource.startswith("acct:") else resource.removeprefix("@")
    user, at, domain = handle.partition("@")
    if not at or not _USER.fullmatch(user):
        raise WebfingerError(f"not an account handle: {resource[:100]!r}")
    return user, _parse_domain(domain, resource)


def _parse_domain(domain: str, resource: str) -> str:
    host, colon, port = domain.partition(":")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise WebfingerError(f"bad domain in {resource[:100]!r}") from None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise WebfingerError(f"bad domain in {resource[:100]!r}")
    if colon:
        if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise WebfingerError(f"bad port in {resource[:100]!r}")
        return f"{host}:{int(port)}"
    return host


def build_jrd(
    *,
    subject: str,
    actor_id: str,
    profile_url: str,
    aliases: list[str],
    subscribe_template: str | None = None,
) -> dict[str, Any]:
    """The JRD our WebFinger endpoint serves for one actor.

    `subscribe_template` defaults to `<actor origin>/authorize_interaction?uri={uri}`,
    the remote-follow address Mastodon advertises.
    """
    if subscribe_template is None:
        subscribe_template = origin(actor_id) + "/authorize_interaction?uri={uri}"
    return {
        "subject": subject,
        "aliases": list(aliases),
        "links": [
            {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url},
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id},
            {"rel": SUBSCRIBE_REL, "template": subscribe_template},
        ],
    }


def host_meta_xml(base_url: str) -> str:
    """The /.well-known/host-meta XRD pointing at our WebFinger endpoint (lrdd template)."""
    template = base_url.rstrip("/") + "/.well-known/webfinger?resource={uri}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={quoteattr(template)}/>\n'
        "</XRD>\n"
    )


def actor_id_from_jrd(jrd: Any) -> str:
    """The ActivityPub actor URL in a (remote, untrusted) JRD document.

    Takes the first `self` link typed `application/activity+json` or
    `application/ld+json; profile="https://www.w3.org/ns/activitystreams"` whose href is an
    http(s) URL. Raises WebfingerError when there is none.
    """
    links = jrd.get("links") if isinstance(jrd, dict) else None
    if not isinstance(links, list):
        raise WebfingerError("JRD has no links list")
    for link in links:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        href, media = link.get("href"), link.get("type")
        if isinstance(media, str) and _is_activitypub_type(media) and _is_http_url(href):
            return href
    raise WebfingerError("JRD has no ActivityPub self link")


def _is_activitypub_type(media: str) -> bool:
    kind, _, params = media.partition(";")
    kind = kind.strip().lower()
    if kind == ACTIVITY_JSON:
        return True
    return kind == "application/ld+json" and _AS_PROFILE in params


def _is_http_url(href: Any) -> bool:
    if not isinstance(href, str):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
