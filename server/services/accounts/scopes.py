"""OAuth scopes as Mastodon defines them: top-level `read`/`write`/`follow`/`push`/`admin:*` and their
granular forms (`read:statuses`...). A granted scope covers a required one if it is the same, its parent,
or (for the deprecated `follow`) one of the relationship scopes it stood for."""
from __future__ import annotations

from moderation.errors import ServiceError
from server.i18n import N_

TOP_LEVEL = ("read", "write", "follow", "push", "admin:read", "admin:write", "profile")
GRANULAR = {
    "read": ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
             "notifications", "search", "statuses"),
    "write": ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
              "lists", "media", "mutes", "notifications", "reports", "statuses"),
    "admin:read": ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
                   "canonical_email_blocks"),
    "admin:write": ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
                    "canonical_email_blocks"),
}
FOLLOW_COVERS = {"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}
KNOWN = set(TOP_LEVEL) | {f"{top}:{g}" for top, gs in GRANULAR.items() for g in gs}


def parse_scopes(text: str | None, default: str = "read") -> frozenset[str]:
    """Split a space- (or +-) separated scope string, refusing unknown scopes."""
    scopes = frozenset((text or default).replace("+", " ").split())
    unknown = sorted(scopes - KNOWN)
    if unknown:
        raise ServiceError(N_("unknown scope %(scope)s"), values={"scope": repr(unknown[0])})
    return scopes


def covers(granted: frozenset[str], required: str) -> bool:
    if required in granted:
        return True
    if required in FOLLOW_COVERS and "follow" in granted:
        return True
    parent = required.rsplit(":", 1)[0]
    return parent != required and parent in granted


def within(requested: frozenset[str], allowed: frozenset[str]) -> bool:
    """Every requested scope is covered by the allowed set (an app asks for no more than it registered)."""
    return all(covers(allowed, scope) for scope in requested)
