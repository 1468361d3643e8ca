"""Local domain policies: set, remove, list, import, export, and the purge that follows a suspension.

Every change here bumps the policy version (so every process reloads) and writes the audit log,
in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from moderation.blocklists import PolicyDiff, diff_policies
from moderation.domains import DomainPolicy, FederationMode, PolicySet, Severity
from moderation.errors import ServiceError
from server.db.models import (
    Actor,
    Delivery,
    DomainPolicyRecord,
    Follow,
    InstanceSetting,
    Like,
    Notification,
    Post,
)
from server.i18n import N_
from server.services.federation.remote_media import withdraw_posts_of
from server.services.moderation import audit
from server.services.moderation.policies import (
    MODE_KEY,
    SUSPENDED_ERROR,
    bump_version,
    load_policies,
    policy_fields,
    read_mode,
    record_to_policy,
)


def local_policy_query(key: str, allow: bool):
    return select(DomainPolicyRecord).where(
        DomainPolicyRecord.key == key, DomainPolicyRecord.allow == allow,
        DomainPolicyRecord.subscription_id.is_(None), DomainPolicyRecord.state == "active")


def _verb(policy: DomainPolicy) -> str:
    return "domain.allow" if policy.allow else f"domain.{policy.severity.value}"


async def set_local_policy(session: AsyncSession, policy: DomainPolicy, *, actor: Actor | None = None,
                           by: str | None = None, reason: str = "") -> DomainPolicyRecord:
    """Create or replace the local policy of `policy`'s kind (block or allow) on its domain."""
    policy = replace(policy, source=None)
    row = (await session.execute(local_policy_query(policy.key, policy.allow))).scalar_one_or_none()
    before = record_to_policy(row) if row is not None else None
    if row is None:
        row = DomainPolicyRecord(state="active", subscription_id=None, **policy_fields(policy))
        session.add(row)
    else:
        for name, value in policy_fields(policy).items():
            setattr(row, name, value)
    await session.flush()
    if before != policy:
        await audit.record(session, actor, _verb(policy), "domain", policy.domain,
                           reason or policy.private_comment or policy.public_comment,
                           {"before": _summary(before), "after": _summary(policy)}, by=by)
        await policies_changed(session)
    return row


async def remove_local_policies(session: AsyncSession, domain: str, *, allow: bool | None = None,
                                actor: Actor | None = None, by: str | None = None, reason: str = "") -> int:
    """Remove the local block and/or allow (`allow` None: both) on `domain`; how many went."""
    query = select(DomainPolicyRecord).where(DomainPolicyRecord.key == domain,
                                             DomainPolicyRecord.subscription_id.is_(None),
                                             DomainPolicyRecord.state == "active")
    if allow is not None:
        query = query.where(DomainPolicyRecord.allow == allow)
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        await audit.record(session, actor, "domain.remove", "domain", row.domain, reason,
                           {"before": _summary(record_to_policy(row))}, by=by)
        await session.delete(row)
    if rows:
        await session.flush()
        await policies_changed(session)
    return len(rows)


async def remove_policy_by_id(session: AsyncSession, row_id: int, *, allow: bool, actor: Actor | None = None,
                              by: str | None = None) -> DomainPolicyRecord | None:
    """Remove one local policy by id (the admin API's DELETE); lists' entries cannot be removed so."""
    row = await session.get(DomainPolicyRecord, row_id)
    if row is None or row.allow != allow or row.state != "active":
        return None
    if row.subscription_id is not None:
        raise ServiceError(N_("this entry belongs to blocklist subscription %(id)s; add a local policy to override it"),
                           values={"id": str(row.subscription_id)})
    await remove_local_policies(session, row.key, allow=allow, actor=actor, by=by)
    return row


async def policies_changed(session: AsyncSession) -> None:
    """Bump the version and purge what newly suspended domains left behind."""
    await bump_version(session)
    await purge_suspended(session)


def _summary(policy: DomainPolicy | None) -> dict | None:
    if policy is None:
        return None
    return {"domain": policy.domain, "allow": policy.allow, "severity": policy.severity.value,
            "reject_media": policy.reject_media, "reject_reports": policy.reject_reports,
            "obfuscate": policy.obfuscate, "public_comment": policy.public_comment,
            "source": policy.source}


async def set_mode(session: AsyncSession, mode: FederationMode, *, actor: Actor | None = None,
                   by: str | None = None) -> None:
    old = await read_mode(session)
    row = await session.get(InstanceSetting, MODE_KEY)
    if row is None:
        session.add(InstanceSetting(key=MODE_KEY, value=mode.value))
    else:
        row.value = mode.value
    await session.flush()
    if old is not mode:
        await audit.record(session, actor, "federation.mode", "instance", "federation_mode", "",
                           {"before": old.value, "after": mode.value}, by=by)
        await bump_version(session)


# Listing, import, export -----------------------------------------------------------------------

async def list_records(session: AsyncSession, *, allow: bool | None = None, state: str = "active",
                       local_only: bool = False) -> list[DomainPolicyRecord]:
    query = select(DomainPolicyRecord).where(DomainPolicyRecord.state == state)
    if allow is not None:
        query = query.where(DomainPolicyRecord.allow == allow)
    if local_only:
        query = query.where(DomainPolicyRecord.subscription_id.is_(None))
    return list((await session.execute(query.order_by(DomainPolicyRecord.key, DomainPolicyRecord.id))).scalars())


async def plan_import(session: AsyncSession, incoming: list[DomainPolicy]) -> PolicyDiff:
    """What importing `incoming` as local blocks would add or change (an import never removes)."""
    keys = {p.key for p in incoming}
    current = [p for p in await load_policies(session) if p.local and not p.allow and p.key in keys]
    return diff_policies(current, [replace(p, source=None, allow=False) for p in incoming])


async def import_policies(session: AsyncSession, incoming: list[DomainPolicy], *, actor: Actor | None = None,
                          by: str | None = None, reason: str = "import") -> PolicyDiff:
    """Store `incoming` (a parsed list: take it whole) as local blocks; the caller commits or rolls back."""
    diff = await plan_import(session, incoming)
    for policy in [*diff.added, *(new for _, new in diff.changed)]:
        row = (await session.execute(local_policy_query(policy.key, False))).scalar_one_or_none()
        if row is None:
            session.add(DomainPolicyRecord(state="active", subscription_id=None, **policy_fields(policy)))
        else:
            for name, value in policy_fields(policy).items():
                setattr(row, name, value)
    await session.flush()
    if not diff.empty:
        await audit.record(session, actor, "domain.import", "domain", f"{len(incoming)} entries", reason,
                           {"added": [p.key for p in diff.added], "changed": [n.key for _, n in diff.changed]},
                           by=by)
        await policies_changed(session)
    return diff


def effective_blocks(policies: list[DomainPolicy]) -> list[DomainPolicy]:
    """The blocks actually in force, one per domain: the local one, else the strictest list's; a
    block overridden by a local exception is left out. For export and publication."""
    by_key: dict[str, DomainPolicy] = {}
    for policy in policies:
        if policy.allow:
            continue
        seen = by_key.get(policy.key)
        if seen is None or (policy.local, policy.severity.rank) > (seen.local, seen.severity.rank):
            by_key[policy.key] = policy
    lookup = PolicySet(policies, FederationMode.BLOCKLIST)
    kept = [p for p in by_key.values() if p.digest or not (w := lookup.effective(p.domain).policy) or not w.allow]
    return sorted(kept, key=lambda p: p.key)


# Purge -------------------------------------------------------------------------------------

async def purge_suspended(session: AsyncSession) -> list[str]:
    """Purge the cached content of every known remote domain a block now suspends."""
    mode = await read_mode(session)
    if mode is FederationMode.OPEN:
        return []
    # Suspension by a block, not by allowlist mode: switching modes never deletes anything.
    lookup = PolicySet(await load_policies(session), FederationMode.BLOCKLIST)
    domains = (await session.execute(select(Actor.domain).distinct().where(Actor.local.is_(False)))).scalars()
    purged = [d for d in domains if _suspends(lookup, d)]
    for domain in purged:
        await purge_domain(session, domain)
    return purged


def _suspends(lookup: PolicySet, domain: str) -> bool:
    try:
        return lookup.effective(domain).suspended
    except ValueError:
        return False


async def purge_domain(session: AsyncSession, domain: str) -> None:
    """Delete what we hold from `domain`'s actors (see purge_actor), and its queued deliveries."""
    await purge_actor(session, select(Actor.id).where(Actor.domain == domain, Actor.local.is_(False)).scalar_subquery())
    await session.execute(update(Delivery).where(Delivery.host == domain, Delivery.state == "queued")
                          .values(state="failed", last_error=SUSPENDED_ERROR, locked_until=None),
                          execution_options={"synchronize_session": False})


async def purge_actor(session: AsyncSession, theirs) -> None:
    """Delete the posts, likes, follows (both ways) and notifications of a remote actor id (or a
    subquery of ids), keeping other posts' counts right. The actor rows stay: reports and the
    audit log point at them."""
    if isinstance(theirs, int):
        theirs = select(Actor.id).where(Actor.id == theirs).scalar_subquery()
    liked = select(Like.post_id).where(Like.actor_id.in_(theirs))
    their_likes = select(func.count()).where(Like.post_id == Post.id, Like.actor_id.in_(theirs)).scalar_subquery()
    await session.execute(update(Post).where(Post.id.in_(liked)).values(likes_count=Post.likes_count - their_likes),
                          execution_options={"synchronize_session": False})
    await session.execute(delete(Like).where(Like.actor_id.in_(theirs)))
    mine = aliased(Post)
    for link, count in ((mine.boost_of_id, Post.boosts_count), (mine.in_reply_to_id, Post.replies_count)):
        targets = select(link).where(mine.author_id.in_(theirs), link.is_not(None))
        gone = select(func.count()).where(mine.author_id.in_(theirs), link == Post.id).scalar_subquery()
        await session.execute(update(Post).where(Post.id.in_(targets), Post.author_id.not_in(theirs))
                              .values({count: count - gone}), execution_options={"synchronize_session": False})
    await withdraw_posts_of(session, theirs)  # their cached media go with their posts
    await session.execute(delete(Post).where(Post.author_id.in_(theirs)))
    await session.execute(delete(Follow).where(Follow.follower_id.in_(theirs) | Follow.followed_id.in_(theirs)))
    await session.execute(delete(Notification).where(Notification.from_actor_id.in_(theirs)))


def parse_severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise ServiceError(N_("severity must be suspend, limit (silence) or noop, not %(value)s"),
                           values={"value": repr(value[:20])}) from None
