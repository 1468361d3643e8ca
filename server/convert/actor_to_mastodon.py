"""Actor rows -> Mastodon Account entities (https://docs.joinmastodon.org/entities/Account/)."""
from __future__ import annotations

from dataclasses import dataclass

from server.db.models import Actor

DEFAULT_AVATAR = "/static/avatar.png"
DEFAULT_HEADER = "/static/header.png"


@dataclass(frozen=True)
class AccountCounts:
    followers: int = 0
    following: int = 0
    statuses: int = 0
    last_status_at: str | None = None


def iso(moment) -> str | None:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None


def acct_of(actor: Actor, local_domain: str) -> str:
    return actor.username if actor.local else f"{actor.username}@{actor.domain}"


def actor_to_mastodon(actor: Actor, counts: AccountCounts, *, base_url: str, local_domain: str,
                      curbside: dict | None = None, moved: dict | None = None, local_copy=None) -> dict:
    """The Account entity; `moved`: the entity of the account this one moved to (Mastodon leaves the key out
    otherwise); `local_copy`: a remote avatar's or header's URL -> the local URL serving our copy."""
    created = actor.published or actor.created_at
    shown = local_copy if local_copy and not actor.local else str
    avatar = shown(actor.icon_url) if actor.icon_url else base_url + DEFAULT_AVATAR
    header = shown(actor.header_url) if actor.header_url else base_url + DEFAULT_HEADER
    return {
        "id": str(actor.id),
        "username": actor.username,
        "acct": acct_of(actor, local_domain),
        "display_name": actor.display_name or "",
        "locked": actor.manually_approves,
        "bot": actor.actor_type in ("Service", "Application"),
        "discoverable": actor.discoverable,
        "indexable": bool(actor.indexable),
        "group": actor.actor_type == "Group",
        "created_at": iso(created.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": actor.summary or "",
        "url": actor.url or actor.uri,
        "uri": actor.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": counts.followers,
        "following_count": counts.following,
        "statuses_count": counts.statuses,
        "last_status_at": counts.last_status_at,
        "emojis": [],
        "fields": [{"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
                   for f in (actor.fields or [])],
        **({"moved": moved} if moved is not None else {}),
        **({"curbside": curbside} if curbside is not None else {}),
    }
