"""Groups kept: created by admins (CLI and API), listed, changed; their moderators named and removed.

A group is a local `Group` actor (name, title and description are its username, display name and summary)
with a `groups` row for the rest. Names share one namespace with members' usernames, so that `@NAME@DOMAIN`
never names both: each refuses the other's name (the unique index on local usernames enforces it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.keys import generate_rsa_keypair
from moderation.errors import Kind, ServiceError
from server.db.models import Account, Actor, Group, GroupModerator
from server.services.accounts.members import USERNAME, find_local_account, find_local_actor
from server.services.accounts.specialties import specialty_name
from server.services.moderation import audit
from server.urls import LocalUrls

JOIN_POLICIES = ("open", "members", "verified", "approval")
MAX_TITLE, MAX_DESCRIPTION, MAX_SPECIALTIES = 100, 5000, 20


By = Actor | str  # who acts: a member's actor, or a non-member author such as `cli:root`


async def _log(session: AsyncSession, by: By, action: str, group: Group, details: dict | None = None) -> None:
    actor, name = (by, None) if isinstance(by, Actor) else (None, by)
    await audit.record(session, actor, action, "group", group.actor.acct, details=details, by=name)


@dataclass(frozen=True)
class GroupFields:
    """What an admin sets on a group; None leaves a field as it is (on update)."""
    title: str | None = None
    description: str | None = None
    specialties: list[str] | None = None
    join: str | None = None
    members_only: bool | None = None
    posting_restricted_to_mods: bool | None = None  # only moderators start threads


@dataclass(frozen=True)
class NewGroup:
    name: str
    fields: GroupFields = field(default_factory=GroupFields)


def _check(fields: GroupFields) -> None:
    if fields.title is not None and not 0 < len(fields.title.strip()) <= MAX_TITLE:
        raise ServiceError(f"title must be 1-{MAX_TITLE} characters")
    if fields.description is not None and len(fields.description) > MAX_DESCRIPTION:
        raise ServiceError(f"description must be at most {MAX_DESCRIPTION} characters")
    if fields.join is not None and fields.join not in JOIN_POLICIES:
        raise ServiceError(f"join must be one of {', '.join(JOIN_POLICIES)}")
    specialties = fields.specialties or []
    if len(specialties) > MAX_SPECIALTIES:
        raise ServiceError(f"at most {MAX_SPECIALTIES} specialties")
    if unknown := [code for code in specialties if specialty_name(code) is None]:
        raise ServiceError(f"unknown specialty code(s): {', '.join(unknown)}")


def _apply(group: Group, fields: GroupFields) -> None:
    if fields.title is not None:
        group.actor.display_name = fields.title.strip()
    if fields.description is not None:
        group.actor.summary = fields.description
    if fields.specialties is not None:
        group.specialties = list(dict.fromkeys(fields.specialties))
    if fields.join is not None:
        group.join_policy = fields.join
        group.actor.manually_approves = fields.join != "open"
    if fields.members_only is not None:
        group.members_only = fields.members_only
    if fields.posting_restricted_to_mods is not None:
        group.posting_restricted_to_mods = fields.posting_restricted_to_mods


def _group_actor(urls: LocalUrls, domain: str, name: str) -> Actor:
    private_pem, public_pem = generate_rsa_keypair()
    uri = urls.group(name)
    return Actor(uri=uri, local=True, username=name, domain=domain, actor_type="Group", url=uri,
                 inbox=f"{uri}/inbox", outbox=f"{uri}/outbox", shared_inbox=urls.shared_inbox,
                 followers_url=f"{uri}/followers", public_key_id=f"{uri}#main-key", public_key_pem=public_pem,
                 private_key_pem=private_pem, discoverable=True)


async def create_group(session: AsyncSession, urls: LocalUrls, domain: str, new: NewGroup, *, by: By) -> Group:
    """Create a group and its actor (with its own key pair), audited; the caller commits."""
    if not USERNAME.match(new.name):
        raise ServiceError("name must be 1-30 letters, digits or underscores")
    if new.fields.title is None:
        raise ServiceError("a group needs a title")
    _check(new.fields)
    if await find_local_actor(session, domain, new.name):
        raise ServiceError(f"name {new.name!r} is taken")
    group = Group(actor=_group_actor(urls, domain, new.name), specialties=[], join_policy="open", members_only=False,
                  posting_restricted_to_mods=False)
    _apply(group, new.fields)
    session.add(group)
    await session.flush()
    await _log(session, by, "group_created", group, _changes(new.fields))
    return group


def _changes(fields: GroupFields) -> dict:
    return {k: v for k, v in vars(fields).items() if v is not None}


async def update_group(session: AsyncSession, group: Group, fields: GroupFields, *, by: By) -> Group:
    _check(fields)
    _apply(group, fields)
    await session.flush()
    await _log(session, by, "group_updated", group, _changes(fields))
    return group


async def list_groups(session: AsyncSession) -> list[Group]:
    return list((await session.execute(select(Group).join(Group.actor).order_by(Actor.username))).scalars())


async def group_by_id(session: AsyncSession, actor_id: int) -> Group | None:
    return await session.get(Group, actor_id)


async def group_by_actor(session: AsyncSession, actor: Actor) -> Group | None:
    return await session.get(Group, actor.id) if actor.local and actor.actor_type == "Group" else None


async def group_named(session: AsyncSession, domain: str, name: str) -> Group | None:
    actor = await find_local_actor(session, domain, name)
    return await group_by_actor(session, actor) if actor is not None else None


async def group_actor_named(session: AsyncSession, domain: str, name: str) -> Actor | None:
    """The actor of the group hosted here by that name (any case), as a member's post mentions it."""
    query = select(Actor).where(Actor.local.is_(True), Actor.domain == domain, Actor.actor_type == "Group",
                                func.lower(Actor.username) == name.lower())
    return (await session.execute(query)).scalars().first()


async def _account(session: AsyncSession, domain: str, username: str) -> Account:
    account = await find_local_account(session, domain, username.lstrip("@").split("@")[0])
    if account is None:
        raise ServiceError(f"no local member named {username!r}", Kind.NOT_FOUND)
    return account


async def add_moderator(session: AsyncSession, domain: str, group: Group, username: str, *, by: By) -> None:
    account = await _account(session, domain, username)
    if await session.get(GroupModerator, (group.actor_id, account.id)) is None:
        session.add(GroupModerator(group_id=group.actor_id, account_id=account.id))
        await session.flush()
        await _log(session, by, "group_moderator_added", group, {"moderator": account.actor.acct})


async def remove_moderator(session: AsyncSession, domain: str, group: Group, username: str, *, by: By) -> None:
    account = await _account(session, domain, username)
    removed = await session.execute(delete(GroupModerator).where(GroupModerator.group_id == group.actor_id,
                                                                 GroupModerator.account_id == account.id))
    if not removed.rowcount:
        raise ServiceError(f"@{account.actor.username} does not moderate {group.actor.username}")
    await _log(session, by, "group_moderator_removed", group, {"moderator": account.actor.acct})


async def moderators(session: AsyncSession, group: Group) -> list[Actor]:
    """The group's moderators' actors, earliest named first."""
    query = (select(Actor).join(Account, Account.actor_id == Actor.id)
             .join(GroupModerator, GroupModerator.account_id == Account.id)
             .where(GroupModerator.group_id == group.actor_id).order_by(GroupModerator.created_at))
    return list((await session.execute(query)).scalars())


async def moderates(session: AsyncSession, group: Group, actor: Actor) -> bool:
    """Whether the actor is a local member who may moderate the group."""
    account = await session.scalar(select(Account).where(Account.actor_id == actor.id)) if actor.local else None
    return account is not None and await may_moderate(session, group, account)


async def may_moderate(session: AsyncSession, group: Group, account: Account) -> bool:
    """Admins, and the group's own moderators."""
    return account.role == "admin" or await session.get(GroupModerator, (group.actor_id, account.id)) is not None
