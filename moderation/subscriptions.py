"""Merging subscribed blocklists (or allowlists) into the stored domain policies.

`plan_subscription_update` is pure: given what is stored and what one list now says, it returns
the creates, updates, removals and drafts that bring the store in line. Rules:

- every policy a list writes carries ``source = subscription.id``;
- a retraction (an entry gone from the list) removes only the policy *this* list owns, never a
  local one or another list's;
- one owner per (kind, domain), kind being block or allow: a local (manual) policy always keeps
  it; otherwise the higher-priority list wins, and on equal priority the current owner keeps it
  (so two lists never flap). A policy whose subscription no longer exists ranks below every list;
- a local policy of the *other* kind does not stop a list entry being stored: `PolicySet` lets a
  local exception beat a list block at lookup, and the block is there if the exception goes;
- ``as_drafts`` turns creates and changes into drafts for an admin to approve; retractions still
  apply, since the list has withdrawn the authority the policy rested on.

A list that cannot be fetched or parsed produces no plan at all (`plan_from_document` raises
before planning), so the last good state stays. When a high-priority list retracts a domain a
lower one also names, the lower list takes it back on its own next update: run updates in
descending priority within one job to close that gap.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from moderation.blocklists import parse_blocklist
from moderation.domains import DomainPolicy, Severity, stricter

__all__ = ["Draft", "Subscription", "SubscriptionPlan", "apply_plan", "plan_from_document",
           "plan_subscription_update"]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscribed list. Higher `priority` wins; `allow` makes it an allowlist."""

    id: str
    url: str
    priority: int = 0
    as_drafts: bool = False
    allow: bool = False


@dataclass(frozen=True, slots=True)
class Draft:
    """A proposed create (`old` None) or change awaiting an admin's approval."""

    old: DomainPolicy | None
    new: DomainPolicy


@dataclass(frozen=True)
class SubscriptionPlan:
    """What one list update would do. `skipped` pairs an incoming entry with why it was ignored."""

    subscription_id: str
    creates: tuple[DomainPolicy, ...] = ()
    updates: tuple[tuple[DomainPolicy, DomainPolicy], ...] = ()
    removals: tuple[DomainPolicy, ...] = ()
    drafts: tuple[Draft, ...] = ()
    skipped: tuple[tuple[DomainPolicy, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.creates or self.updates or self.removals or self.drafts)


def plan_subscription_update(existing: Iterable[DomainPolicy], subscription: Subscription,
                             fetched: Iterable[DomainPolicy],
                             all_subscriptions: Iterable[Subscription]) -> SubscriptionPlan:
    """Plan how the stored policies change now that `subscription`'s list reads `fetched`.

    `existing` is every stored policy (local and from all lists); `all_subscriptions` gives the
    priorities of the other lists. Entries of `fetched` are taken as content only: their
    `source` and `allow` are set from `subscription`. See the module docstring for the rules.
    """
    existing = list(existing)
    priority = {s.id: s.priority for s in all_subscriptions}
    priority[subscription.id] = subscription.priority
    wanted = _wanted(fetched, subscription)
    owners = _owners(existing, subscription.allow, priority)

    creates: list[DomainPolicy] = []
    updates: list[tuple[DomainPolicy, DomainPolicy]] = []
    skipped: list[tuple[DomainPolicy, str]] = []
    for key in sorted(wanted):
        new, owner = wanted[key], owners.get(key)
        if owner is None:
            creates.append(new)
        elif owner.source == subscription.id:
            if owner != new:
                updates.append((owner, new))
        elif owner.local:
            skipped.append((new, "a local policy covers this domain"))
        elif _strength(owner, priority) >= subscription.priority:
            skipped.append((new, f"list {owner.source} has equal or higher priority"))
        else:
            updates.append((owner, new))

    # Own entries go when retracted, of the wrong kind, or shadowed by a stronger owner.
    keep = wanted.keys() - {new.key for new, _ in skipped}
    removals = tuple(p for p in existing if p.source == subscription.id
                     and (p.allow != subscription.allow or p.key not in keep))
    if subscription.as_drafts:
        drafts = [Draft(None, p) for p in creates] + [Draft(old, new) for old, new in updates]
        return SubscriptionPlan(subscription.id, removals=removals, drafts=tuple(drafts),
                                skipped=tuple(skipped))
    return SubscriptionPlan(subscription.id, tuple(creates), tuple(updates), removals,
                            skipped=tuple(skipped))


def plan_from_document(existing: Iterable[DomainPolicy], subscription: Subscription,
                       data: bytes | str, all_subscriptions: Iterable[Subscription],
                       fmt: str | None = None) -> SubscriptionPlan:
    """Parse a fetched list and plan its update.

    Raises `BlocklistError` (before any planning) when the list is malformed, so the caller
    keeps the last good state.
    """
    fetched = parse_blocklist(data, fmt)
    return plan_subscription_update(existing, subscription, fetched, all_subscriptions)


def apply_plan(existing: Iterable[DomainPolicy], plan: SubscriptionPlan) -> list[DomainPolicy]:
    """The stored policies after `plan` (drafts left pending): the reference for `server/`."""
    removed = set(plan.removals)
    replaced = dict(plan.updates)
    return [replaced.get(p, p) for p in existing if p not in removed] + list(plan.creates)


def _wanted(fetched: Iterable[DomainPolicy], subscription: Subscription) -> dict[str, DomainPolicy]:
    wanted: dict[str, DomainPolicy] = {}
    for policy in fetched:
        policy = replace(policy, source=subscription.id, allow=subscription.allow)
        if subscription.allow:
            policy = replace(policy, severity=Severity.NOOP, reject_media=False, reject_reports=False)
        seen = wanted.get(policy.key)
        wanted[policy.key] = stricter(seen, policy) if seen else policy
    return wanted


def _strength(policy: DomainPolicy, priority: dict[str, int]) -> float:
    if policy.source is None:
        return math.inf
    return priority.get(policy.source, -math.inf)


def _owners(existing: list[DomainPolicy], allow: bool,
            priority: dict[str, int]) -> dict[str, DomainPolicy]:
    owners: dict[str, DomainPolicy] = {}
    for policy in existing:
        if policy.allow != allow:
            continue
        current = owners.get(policy.key)
        if current is None or _strength(policy, priority) > _strength(current, priority):
            owners[policy.key] = policy
    return owners
