"""Blocklist subscriptions: subscribe, fetch on a schedule, apply with provenance, drafts.

A refresh fetches first (no transaction is open across the network), then plans with
`moderation.subscriptions.plan_from_document` over every stored policy and applies the plan in one
transaction. A list that cannot be fetched or parsed changes nothing: its policies stay as they
were (the last good state), `last_error` says why, and the first failure after a success writes a
``blocklist.failed`` entry to the audit log, which the admin pages and `curbside blocklists list`
show as an alert.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.fetch import FetchError, check_scheme
from moderation.blocklists import BlocklistError
from moderation.domains import DomainPolicy
from moderation.errors import ServiceError
from moderation.subscriptions import Subscription, SubscriptionPlan, plan_from_document
from server.db import effects
from server.db.models import Actor, BlocklistSubscription, DomainPolicyRecord
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.instance_actor import ensure_instance_actor
from server.services.federation.signing import signer_for
from server.services.moderation import audit
from server.services.moderation.domains import policies_changed
from server.services.moderation.listfetch import fetch_list, format_hint
from server.services.moderation.policies import load_policies, policy_fields, record_to_policy

log = logging.getLogger("curbside.blocklists")
REFRESH_EVERY = timedelta(hours=1)
RETRY_AFTER_FAILURE = timedelta(minutes=15)
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class RefreshResult:
    subscription_id: int
    url: str
    ok: bool
    message: str
    plan: SubscriptionPlan | None = None


def as_subscription(row: BlocklistSubscription) -> Subscription:
    return Subscription(id=str(row.id), url=row.url, priority=row.priority, as_drafts=row.as_drafts,
                        allow=row.allow)


async def subscribe(session: AsyncSession, url: str, *, priority: int = 0, as_drafts: bool = False,
                    allow: bool = False, allow_http: bool = False, actor: Actor | None = None,
                    by: str | None = None) -> BlocklistSubscription:
    """Subscribe to the list at `url` (fetched by the next refresh); the caller commits."""
    try:
        url = str(check_scheme(url.strip(), allow_http=allow_http))
    except FetchError:
        message = (N_("a list's address is an https:// or http:// URL, not %(url)s") if allow_http
                   else N_("a list's address is an https:// URL (only https allowed), not %(url)s"))
        raise ServiceError(message, values={"url": url.strip()[:200]}) from None
    if await session.scalar(select(BlocklistSubscription.id).where(BlocklistSubscription.url == url)):
        raise ServiceError(N_("already subscribed to %(url)s"), values={"url": url})
    row = BlocklistSubscription(url=url, priority=priority, as_drafts=as_drafts, allow=allow, next_fetch_at=utcnow())
    session.add(row)
    await session.flush()
    await audit.record(session, actor, "blocklist.subscribe", "blocklist", url, "",
                       {"priority": priority, "as_drafts": as_drafts, "allow": allow}, by=by)
    return row


async def unsubscribe(session: AsyncSession, url: str, *, actor: Actor | None = None, by: str | None = None) -> int:
    """Drop a subscription and every policy and draft it wrote; how many policies went."""
    row = (await session.execute(select(BlocklistSubscription).where(BlocklistSubscription.url == url)))\
        .scalar_one_or_none()
    if row is None:
        raise ServiceError(N_("not subscribed to %(url)s"), values={"url": url})
    owned = await session.execute(delete(DomainPolicyRecord).where(DomainPolicyRecord.subscription_id == row.id))
    await session.delete(row)
    await session.flush()
    await audit.record(session, actor, "blocklist.unsubscribe", "blocklist", url, "",
                       {"policies_removed": owned.rowcount}, by=by)
    await policies_changed(session)
    return owned.rowcount or 0


async def list_subscriptions(session: AsyncSession) -> list[BlocklistSubscription]:
    query = select(BlocklistSubscription).order_by(BlocklistSubscription.priority.desc(), BlocklistSubscription.id)
    return list((await session.execute(query)).scalars())


# Refreshing ------------------------------------------------------------------------------------

async def claim_due(runtime: Runtime, *, force: bool = False) -> list[int]:
    """Lease the subscriptions due for a fetch (all of them with `force`), highest priority first."""
    now = utcnow()
    free = BlocklistSubscription.locked_until.is_(None) | (BlocklistSubscription.locked_until < now)
    due = free if force else free & (BlocklistSubscription.next_fetch_at <= now)
    async with runtime.sessions() as session:
        ids = list((await session.execute(select(BlocklistSubscription.id).where(due)
                                          .order_by(BlocklistSubscription.priority.desc(),
                                                    BlocklistSubscription.id))).scalars())
        claimed = set()
        for sub_id in ids:  # one UPDATE each, re-checking the lease: two workers never take one list
            result = await session.execute(update(BlocklistSubscription).where(
                BlocklistSubscription.id == sub_id, free).values(locked_until=now + LEASE))
            if result.rowcount:
                claimed.add(sub_id)
        await session.commit()
    return [i for i in ids if i in claimed]


async def refresh_all(runtime: Runtime, *, force: bool = False, wait: float = 0.0, actor: Actor | None = None,
                      by: str | None = None) -> list[RefreshResult]:
    """Fetch and apply every due subscription (every one with `force`), highest priority first.

    With `wait`, lists leased by a worker at that moment are waited for (up to `wait` seconds) and
    then fetched too, so that "refresh now" means now."""
    results: list[RefreshResult] = []
    deadline = time.monotonic() + wait
    while True:
        for sub_id in await claim_due(runtime, force=force):
            results.append(await refresh_one(runtime, sub_id, actor=actor, by=by))
        done = {r.subscription_id for r in results}
        if not wait or time.monotonic() > deadline or not await _leased(runtime, exclude=done):
            return results
        await asyncio.sleep(0.5)


async def _leased(runtime: Runtime, exclude: set[int]) -> bool:
    async with runtime.sessions() as session:
        query = select(BlocklistSubscription.id).where(BlocklistSubscription.locked_until > utcnow())
        return bool(set((await session.execute(query)).scalars()) - exclude)


async def refresh_one(runtime: Runtime, sub_id: int, *, actor: Actor | None = None,
                      by: str | None = None) -> RefreshResult:
    async with runtime.sessions() as session:
        sub = await session.get(BlocklistSubscription, sub_id)
        if sub is None:
            return RefreshResult(sub_id, "", False, "subscription gone")
        url, etag, modified = sub.url, sub.etag, sub.last_modified
    settings = runtime.settings
    instance = await ensure_instance_actor(runtime.sessions, runtime.urls, settings.domain)
    try:
        document = await fetch_list(runtime.http, url, etag=etag, last_modified=modified,
                                    sign=signer_for(instance), allow_http=settings.allow_http,
                                    allow_private=settings.allow_private_addresses)
    except FetchError as exc:
        return await _failed(runtime, sub_id, url, f"cannot fetch: {exc.reason}", actor, by)
    unchanged = document.body is None
    try:
        async with runtime.sessions() as session:
            sub = await session.get(BlocklistSubscription, sub_id)
            if sub is None:
                return RefreshResult(sub_id, url, False, "unsubscribed meanwhile")
            if unchanged and sub.document is None:
                raise BlocklistError(1, N_("304 Not Modified, but no copy of the list is stored"))
            # Not modified: planned again from the stored copy all the same, since another list's
            # retraction may have left a domain to this one.
            body = sub.document.encode() if unchanged else document.body
            plan = await _apply(session, sub_id, body, format_hint(document.content_type, url), actor, by)
            stored = {} if unchanged else {"document": body.decode("utf-8-sig"), "etag": document.etag,
                                           "last_modified": document.last_modified}
            await _finish(session, sub_id, last_error=None, failing_since=None, last_success_at=utcnow(), **stored)
            effects.forget(session, "policies", "version")  # read the version row again after the commit
            await session.commit()
    except BlocklistError as exc:
        return await _failed(runtime, sub_id, url, f"malformed list: {exc}", actor, by)
    return RefreshResult(sub_id, url, True, ("not modified; " if unchanged else "") + _describe(plan), plan)


async def _finish(session: AsyncSession, sub_id: int, *, retry: bool = False, **values) -> None:
    now = utcnow()
    await session.execute(update(BlocklistSubscription).where(BlocklistSubscription.id == sub_id).values(
        last_fetched_at=now, locked_until=None,
        next_fetch_at=now + (RETRY_AFTER_FAILURE if retry else REFRESH_EVERY), **values))


async def _failed(runtime: Runtime, sub_id: int, url: str, reason: str, actor: Actor | None,
                  by: str | None) -> RefreshResult:
    log.warning("blocklist %s: %s; keeping its last good state", url, reason)
    async with runtime.sessions() as session:
        sub = await session.get(BlocklistSubscription, sub_id)
        if sub is not None:
            if sub.failing_since is None:  # the alert: once per failing spell, not once per try
                await audit.record(session, actor, "blocklist.failed", "blocklist", url, reason, by=by)
            await _finish(session, sub_id, retry=True, last_error=reason[:2000],
                          failing_since=sub.failing_since or utcnow())
            await session.commit()
    return RefreshResult(sub_id, url, False, reason)


def _describe(plan: SubscriptionPlan) -> str:
    return (f"{len(plan.creates)} added, {len(plan.updates)} changed, {len(plan.removals)} removed, "
            f"{len(plan.drafts)} drafts, {len(plan.skipped)} skipped")


async def _apply(session: AsyncSession, sub_id: int, body: bytes, fmt: str | None, actor: Actor | None,
                 by: str | None) -> SubscriptionPlan:
    sub = await session.get(BlocklistSubscription, sub_id)
    subs = [as_subscription(s) for s in (await session.execute(select(BlocklistSubscription))).scalars()]
    existing = await load_policies(session)
    plan = plan_from_document(existing, as_subscription(sub), body, subs, fmt)
    for policy in plan.removals:
        await _delete_owned(session, policy)
    for old, new in plan.updates:
        await _delete_owned(session, old)
        session.add(DomainPolicyRecord(state="active", subscription_id=sub_id, **policy_fields(new)))
    for policy in plan.creates:
        session.add(DomainPolicyRecord(state="active", subscription_id=sub_id, **policy_fields(policy)))
    await _store_drafts(session, sub_id, plan)
    await session.flush()
    if not (plan.creates or plan.updates or plan.removals):
        return plan
    await audit.record(session, actor, "blocklist.apply", "blocklist", sub.url, "", {
        "added": [p.key for p in plan.creates], "changed": [n.key for _, n in plan.updates],
        "removed": [p.key for p in plan.removals], "drafts": [d.new.key for d in plan.drafts]}, by=by)
    await policies_changed(session)
    return plan


def _owned(policy: DomainPolicy, state: str = "active"):
    owner = DomainPolicyRecord.subscription_id.is_(None) if policy.source is None else \
        DomainPolicyRecord.subscription_id == int(policy.source)
    return (DomainPolicyRecord.key == policy.key, DomainPolicyRecord.allow == policy.allow, owner,
            DomainPolicyRecord.state == state)


async def _delete_owned(session: AsyncSession, policy: DomainPolicy) -> None:
    await session.execute(delete(DomainPolicyRecord).where(*_owned(policy)))


async def _store_drafts(session: AsyncSession, sub_id: int, plan: SubscriptionPlan) -> None:
    """Replace this list's pending drafts by the plan's, except those an admin already rejected."""
    mine = DomainPolicyRecord.subscription_id == sub_id
    await session.execute(delete(DomainPolicyRecord).where(mine, DomainPolicyRecord.state == "draft"))
    rejected = {(r.key, r.allow): record_to_policy(r) for r in (await session.execute(
        select(DomainPolicyRecord).where(mine, DomainPolicyRecord.state == "rejected"))).scalars()}
    for draft in plan.drafts:
        if rejected.get((draft.new.key, draft.new.allow)) == draft.new:
            continue
        session.add(DomainPolicyRecord(state="draft", subscription_id=sub_id, **policy_fields(draft.new)))


# Drafts ------------------------------------------------------------------------------------------

async def decide_draft(session: AsyncSession, draft_id: int, *, approve: bool, actor: Actor | None = None,
                       by: str | None = None) -> DomainPolicyRecord:
    """Approve a list's draft (it becomes the list's policy) or reject it (not proposed again
    while the list says the same)."""
    row = await session.get(DomainPolicyRecord, draft_id)
    if row is None or row.state != "draft":
        raise ServiceError(N_("no draft with id %(id)s"), values={"id": str(draft_id)})
    policy = replace(record_to_policy(row), source=str(row.subscription_id))
    if approve:
        # The list takes the domain over from whichever list held it (the plan ranked them already).
        await session.execute(delete(DomainPolicyRecord).where(
            DomainPolicyRecord.key == row.key, DomainPolicyRecord.allow == row.allow,
            DomainPolicyRecord.subscription_id.is_not(None), DomainPolicyRecord.state == "active"))
        row.state = "active"
    else:
        await session.execute(delete(DomainPolicyRecord).where(*_owned(policy, "rejected")))
        row.state = "rejected"
    await session.flush()
    await audit.record(session, actor, "blocklist.draft_approved" if approve else "blocklist.draft_rejected",
                       "domain", row.domain, "", {"subscription_id": row.subscription_id}, by=by)
    if approve:
        await policies_changed(session)
    return row
