"""The domain policies in force, as a `moderation.domains.PolicySet`, cached per process.

Every enforcement point (inbox, delivery, fetch, display) asks `policies_for(...)`. The set is
rebuilt from the database only when the `policy_version` row moved: a process looks at that row
at most every CHECK_EVERY seconds, so a change made by another process (the CLI, another web
process, a worker) takes effect everywhere within that time. A change made in this process is
seen at once: `bump_version` tells the cache which version to wait for.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from moderation.domains import (
    DomainPolicy,
    Effective,
    FederationMode,
    InvalidDomain,
    PolicySet,
    Severity,
    normalize_domain,
)
from server.caches import Caches, caches_of
from server.db.models import DomainPolicyRecord, InstanceSetting, PolicyVersion

CHECK_EVERY = 2.0
EXPECT_FOR = 30.0  # how long a bumped version is waited for (a rolled-back change never arrives)
MODE_KEY = "federation_mode"
MAX_ANSWERS = 50_000
SUSPENDED_ERROR = "domain suspended by policy"  # last_error of deliveries it stopped


def record_to_policy(row: DomainPolicyRecord) -> DomainPolicy:
    return DomainPolicy(
        domain=row.domain, severity=Severity(row.severity), reject_media=row.reject_media,
        reject_reports=row.reject_reports, public_comment=row.public_comment,
        private_comment=row.private_comment, obfuscate=row.obfuscate,
        source=None if row.subscription_id is None else str(row.subscription_id), allow=row.allow,
        digest=row.digest)


def policy_fields(policy: DomainPolicy) -> dict:
    """Column values of a DomainPolicyRecord for `policy` (owner and state excluded)."""
    return {"key": policy.key, "domain": policy.domain, "digest": policy.digest, "allow": policy.allow,
            "severity": policy.severity.value, "reject_media": policy.reject_media,
            "reject_reports": policy.reject_reports, "obfuscate": policy.obfuscate,
            "public_comment": policy.public_comment, "private_comment": policy.private_comment}


@dataclass(frozen=True)
class Policies:
    """The policies in force and the question every enforcement point asks of them."""

    set: PolicySet
    version: int
    # domain -> Effective: a set never changes (a new version is a new Policies), and pages of statuses ask
    # about the same few dozen domains on every request
    _answers: dict[str, Effective] = field(default_factory=dict, compare=False, repr=False)

    @property
    def mode(self) -> FederationMode:
        return self.set.mode

    def effective(self, domain: str) -> Effective:
        """What may be done with `domain`; a name that is no domain at all is refused (unless open)."""
        answer = self._answers.get(domain)
        if answer is None:
            if len(self._answers) >= MAX_ANSWERS:
                self._answers.clear()
            answer = self._answers[domain] = self._decide(domain)
        return answer

    def _decide(self, domain: str) -> Effective:
        try:
            return self.set.effective(domain)
        except InvalidDomain as exc:
            if self.set.mode is FederationMode.OPEN:
                return Effective(True, True, True, True, False, True, True, False, False, None, "open mode")
            return Effective(False, False, False, False, False, False, False, True, False, None,
                             f"not a domain: {exc.reason}")

    def suspended(self, domain: str) -> bool:
        return self.effective(domain).suspended


async def read_mode(session: AsyncSession) -> FederationMode:
    row = await session.get(InstanceSetting, MODE_KEY)
    try:
        return FederationMode(row.value) if row is not None else FederationMode.BLOCKLIST
    except ValueError:
        return FederationMode.BLOCKLIST


async def load_policies(session: AsyncSession, *, state: str = "active") -> list[DomainPolicy]:
    rows = await session.execute(select(DomainPolicyRecord).where(DomainPolicyRecord.state == state)
                                 .order_by(DomainPolicyRecord.id))
    return [record_to_policy(row) for row in rows.scalars()]


async def current_version(session: AsyncSession) -> int:
    return (await session.scalar(select(PolicyVersion.version).where(PolicyVersion.id == 1))) or 0


class PolicyCache:
    """The Policies of one database, reloaded when its version row moves (see the module docstring)."""

    size = 1  # one set of policies

    def __init__(self, engine: AsyncEngine, check_every: float = CHECK_EVERY) -> None:
        self.engine, self.check_every = engine, check_every
        self._policies: Policies | None = None
        self._checked = 0.0
        self._expect: tuple[int, float] | None = None
        self._refreshing, self._looks = asyncio.Lock(), 0

    def expect(self, version: int) -> None:
        """Look again at the next call until `version` (written by this process) is visible."""
        self._expect = (version, time.monotonic() + EXPECT_FOR)

    def forget(self, *_keys) -> None:
        """Look at the version row again at the next call."""
        self._checked = 0.0

    def clear(self) -> None:
        self._policies, self._checked = None, 0.0

    def _fresh(self, now: float) -> bool:
        if self._policies is None or now - self._checked >= self.check_every:
            return False
        if self._expect is None:
            return True
        version, deadline = self._expect
        if self._policies.version >= version or now > deadline:
            self._expect = None
            return True
        return False

    async def get(self) -> Policies:
        if self._fresh(time.monotonic()):
            return self._policies
        looks = self._looks
        async with self._refreshing:  # one look at a time; who waited for it takes its answer
            if self._looks == looks:
                await self._refresh(time.monotonic())
        return self._policies

    async def _refresh(self, now: float) -> None:
        async with AsyncSession(self.engine) as session:
            version = await current_version(session)
            if self._policies is None or self._policies.version != version:
                policies = await load_policies(session)
                self._policies = Policies(PolicySet(policies, await read_mode(session)), version)
        self._checked, self._looks = now, self._looks + 1


def policy_cache(caches: Caches, engine: AsyncEngine) -> PolicyCache:
    """The one cache of this process for its database (`engine`)."""
    return caches.use("policies", lambda: PolicyCache(engine))


async def policies_for(session: AsyncSession) -> Policies:
    """The policies in force for the database `session` is bound to."""
    return await policy_cache(caches_of(session), session.bind).get()


async def bump_version(session: AsyncSession) -> int:
    """Record that policies changed (in the caller's transaction); every process reloads them."""
    version = await session.scalar(update(PolicyVersion).where(PolicyVersion.id == 1)
                                   .values(version=PolicyVersion.version + 1).returning(PolicyVersion.version))
    policy_cache(caches_of(session), session.bind).expect(version)
    return version


def check_domain(value: str) -> str:
    """A domain as an admin typed it, normalised; `InvalidDomain` (a ValueError) says what is wrong."""
    return normalize_domain(value)
