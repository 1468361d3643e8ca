"""A group hosted here as the JSON of Curbside's groups API."""
from __future__ import annotations

from server.convert.actor_to_mastodon import iso
from server.db.models import Actor, Group, GroupBan, GroupThreadState
from server.services.accounts.specialties import specialty_name


def group_to_json(group: Group, moderators: list[Actor], members: int) -> dict:
    actor = group.actor
    return {"id": str(actor.id), "name": actor.username, "acct": actor.username, "url": actor.uri,
            "title": actor.display_name, "description": actor.summary or "",
            "specialties": [{"code": c, "name": specialty_name(c)} for c in group.specialties],
            "join": group.join_policy, "members_only": group.members_only,
            "posting_restricted_to_mods": group.posting_restricted_to_mods,
            "moderators": [m.username for m in moderators], "members_count": members,
            "created_at": iso(group.created_at)}


def thread_state_json(state: GroupThreadState | None) -> dict:
    """What a group's moderators did to a thread, as the groups API shows it next to the Status."""
    return {"locked": bool(state and state.locked), "pinned": bool(state and state.pinned_at is not None)}


def ban_to_json(actor: Actor, ban: GroupBan, domain: str) -> dict:
    return {"account_id": str(actor.id), "acct": actor.username if actor.local else actor.acct,
            "url": actor.url or actor.uri, "reason": ban.reason, "created_at": iso(ban.created_at)}
