"""NodeInfo 2.0 and 2.1: the server's self-description for fediverse crawlers.

The discovery document points at `<base>/nodeinfo/2.0` and `<base>/nodeinfo/2.1`;
the server mounts those two paths.
"""
from __future__ import annotations

import re
from typing import Any

SCHEMA_REL = "http://nodeinfo.diaspora.software/ns/schema/{version}"
VERSIONS = ("2.0", "2.1")
_SOFTWARE_NAME = re.compile(r"[a-z0-9-]+")  # the schemas' pattern for software.name


def content_type(version: str) -> str:
    """The Content-Type a NodeInfo document of `version` is served with."""
    return f'application/json; profile="{SCHEMA_REL.format(version=version)}#"'


def discovery_document(base_url: str) -> dict[str, Any]:
    """The /.well-known/nodeinfo document linking to both schema versions."""
    base = base_url.rstrip("/")
    return {
        "links": [
            {"rel": SCHEMA_REL.format(version=v), "href": f"{base}/nodeinfo/{v}"}
            for v in VERSIONS
        ]
    }


def nodeinfo(
    version: str,
    *,
    software_name: str,
    software_version: str,
    repository: str,
    homepage: str,
    total_users: int,
    active_month: int,
    active_halfyear: int,
    local_posts: int,
    open_registrations: bool,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """A NodeInfo document of `version` ("2.0" or "2.1"); 2.0 has no repository/homepage.

    Raises ValueError for an unknown version, a software name outside `[a-z0-9-]+`,
    or a negative or non-integer count.
    """
    if version not in VERSIONS:
        raise ValueError(f"unsupported NodeInfo version {version!r}")
    if not _SOFTWARE_NAME.fullmatch(software_name):
        raise ValueError(f"software name must match [a-z0-9-]+: {software_name!r}")
    counts = (total_users, active_month, active_halfyear, local_posts)
    if not all(type(n) is int and n >= 0 for n in counts):
        raise ValueError("usage counts must be non-negative integers")
    software: dict[str, str] = {"name": software_name, "version": software_version}
    if version == "2.1":
        software |= {"repository": repository, "homepage": homepage}
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": bool(open_registrations),
        "usage": {
            "users": {
                "total": total_users,
                "activeMonth": active_month,
                "activeHalfyear": active_halfyear,
            },
            "localPosts": local_posts,
        },
        "metadata": dict(metadata),
    }


def mastodon_compatible(api_version: str) -> dict[str, Any]:
    """The `metadata` entry by which client libraries tell a server with Mastodon's client API from others
    whose software name they do not know (megalodon's `detector` reads `upstream.name`)."""
    return {"upstream": {"name": "mastodon", "version": api_version}}
