"""Domain policies and the federation-mode decision.

A `DomainPolicy` is one row an admin (or a subscribed list) wrote about a remote domain.
A `PolicySet` answers, for any host, what Curbside may do with it (`Effective`).

Matching follows Mastodon: a policy on ``example.com`` also covers ``sub.example.com``
(``*.example.com`` is accepted as a spelling of the same thing), and the most specific
policy wins. Two rules sit on top of "most specific wins":

- local beats list: if the winner came from a subscribed list and a *local* policy of the
  opposite kind covers the host anywhere up the chain (a local allow against a list block,
  or a local block against a list allow), the most specific such local policy wins;
- at the same domain, local comes before list, block before allow, stricter before laxer.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import idna

from moderation.errors import N_, ServiceError

__all__ = [
    "DomainPolicy", "Effective", "FederationMode", "InvalidDomain", "PolicySet", "Severity",
    "domain_digest", "is_digest", "normalize_domain", "obfuscate_domain", "stricter",
]

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class InvalidDomain(ServiceError, ValueError):
    """A string that is not a usable domain (a ServiceError of kind INVALID); `.reason` says why."""

    def __init__(self, domain: object, reason: str, **values: object) -> None:
        self.why = ServiceError(reason, values=values)  # the reason alone, translatable where it is shown
        super().__init__(N_("invalid domain %(domain)s: %(reason)s"),
                         values={"domain": repr(str(domain)[:100]), "reason": self.why})
        self.domain = domain
        self.reason = self.why.message


def normalize_domain(value: str) -> str:
    """Return `value` as a canonical domain: lowercase ASCII (IDNA punycode), no trailing dot.

    A leading ``*.`` is dropped, because a policy on ``example.com`` already covers its
    subdomains. An explicit port (``localhost:8001``) is kept. Raises `InvalidDomain`
    (a `ValueError`) with a reason for anything else: URLs, paths, empty labels, ``*``
    elsewhere (an obfuscated name), bad punycode, over-long names.
    """
    if not isinstance(value, str):
        raise InvalidDomain(value, N_("not a string"))
    return _normalize(value)


@lru_cache(maxsize=8192)
def _normalize(value: str) -> str:
    text = value.strip().lower()
    if text.startswith("*."):
        text = text[2:]
    text = text.rstrip(".")
    if not text:
        raise InvalidDomain(value, N_("empty"))
    for bad, reason in (("://", N_("a URL, not a domain")), ("/", N_("contains '/'")), ("@", N_("contains '@'")),
                        ("*", N_("contains '*' (obfuscated or a wildcard inside the name)"))):
        if bad in text:
            raise InvalidDomain(value, reason)
    host, port = _split_port(value, text)
    host = _host_to_ascii(value, host)
    return f"{host}:{port}" if port else host


def _split_port(original: str, text: str) -> tuple[str, str]:
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, ""
    if ":" in host or "[" in host:
        raise InvalidDomain(original, N_("IPv6 literals are not supported"))
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidDomain(original, N_("bad port %(value)s"), value=repr(port[:10]))
    return host.rstrip("."), str(int(port))


def _host_to_ascii(original: str, host: str) -> str:
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidDomain(original, N_("not a valid internationalised name (%(problem)s)"),
                                problem=str(exc)) from None
    if len(host) > 253:
        raise InvalidDomain(original, N_("longer than %(limit)s characters"), limit=253)
    for label in host.split("."):
        if not _LABEL.fullmatch(label):
            raise InvalidDomain(original, N_("bad label %(value)s"), value=repr(label[:70]))
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                raise InvalidDomain(original, N_("bad punycode label %(value)s"), value=repr(label)) from None
    return host


def domain_digest(domain: str) -> str:
    """SHA-256 hex digest of a normalised domain, as Mastodon publishes beside obfuscated names."""
    return hashlib.sha256(domain.encode("utf-8")).hexdigest()


def obfuscate_domain(domain: str) -> str:
    """Hide the middle of `domain` behind ``*`` the way Mastodon does, keeping the dots.

    The first quarter of the characters (rounded down) plus one and the last quarter stay
    visible, so very short names lose their last character too.
    """
    keep = len(domain) // 4
    return "".join(
        "*" if keep < i < len(domain) - keep and ch != "." else ch for i, ch in enumerate(domain)
    )


class Severity(str, Enum):
    """How hard a block bites. Mastodon's ``silence`` is accepted as a spelling of `LIMIT`."""

    SUSPEND = "suspend"
    LIMIT = "limit"
    NOOP = "noop"

    @classmethod
    def _missing_(cls, value: object) -> Severity | None:
        text = str(value).strip().lower()
        if text == "silence":
            return cls.LIMIT
        return next((member for member in cls if member.value == text), None)

    @property
    def rank(self) -> int:
        """Higher is stricter."""
        return {"suspend": 2, "limit": 1, "noop": 0}[self.value]


class FederationMode(str, Enum):
    """`OPEN` enforces no domain policy at all; `BLOCKLIST` (default) federates with all but
    the blocked; `ALLOWLIST` treats every domain no allow entry covers as suspended."""

    OPEN = "open"
    BLOCKLIST = "blocklist"
    ALLOWLIST = "allowlist"


@dataclass(frozen=True, slots=True)
class DomainPolicy:
    """One policy about a remote domain.

    `domain` must already be normalised (`normalize_domain`), except for entries known only by
    hash: when `digest` is set, `domain` is just the obfuscated display form and matching goes by
    `digest`. `source` is None for a local (manual) policy, else the subscription id that owns it.
    `allow` marks an allowlist entry / local exception; severity and reject flags then mean nothing.
    """

    domain: str
    severity: Severity = Severity.SUSPEND
    reject_media: bool = False
    reject_reports: bool = False
    public_comment: str = ""
    private_comment: str = ""
    obfuscate: bool = False
    source: str | None = None
    allow: bool = False
    digest: str | None = None

    @property
    def key(self) -> str:
        """What identifies the domain: the name, or ``sha256:<digest>`` for hash-only entries."""
        return f"sha256:{self.digest}" if self.digest else self.domain

    @property
    def local(self) -> bool:
        return self.source is None


def stricter(a: DomainPolicy, b: DomainPolicy) -> DomainPolicy:
    """Merge two block policies on one domain into the stricter of both (flags OR-ed).

    Comments are taken from whichever policy is kept, filled from the other when empty.
    """
    def harshness(p: DomainPolicy) -> tuple[int, int]:
        return p.severity.rank, p.reject_media + p.reject_reports

    if harshness(b) > harshness(a):
        a, b = b, a
    return DomainPolicy(
        domain=a.domain, severity=a.severity, reject_media=a.reject_media or b.reject_media,
        reject_reports=a.reject_reports or b.reject_reports,
        public_comment=a.public_comment or b.public_comment,
        private_comment=a.private_comment or b.private_comment,
        obfuscate=a.obfuscate or b.obfuscate, source=a.source, allow=a.allow and b.allow,
        digest=a.digest,
    )


@dataclass(frozen=True, slots=True)
class Effective:
    """What Curbside may do with one host, and the policy (and reason) behind it."""

    accept_inbox: bool
    deliver: bool
    fetch: bool
    show_in_public_timelines: bool
    follow_needs_approval: bool
    accept_media: bool
    accept_reports: bool
    suspended: bool
    limited: bool
    policy: DomainPolicy | None
    reason: str

    @property
    def blocked(self) -> bool:
        """Whether a block covers the host (suspend, limit, media or reports refused) or the allowlist leaves it
        out. Such hosts are no peers to tell the world about: as on Mastodon, the instance's list of peers
        leaves them out, so that it never publishes the blocklist by the back door."""
        return self.suspended or (self.policy is not None and not self.policy.allow)


def _unrestricted(policy: DomainPolicy | None, reason: str) -> Effective:
    return Effective(True, True, True, True, False, True, True, False, False, policy, reason)


def _suspended(policy: DomainPolicy | None, reason: str) -> Effective:
    return Effective(False, False, False, False, True, False, False, True, False, policy, reason)


def _blocked(policy: DomainPolicy) -> Effective:
    origin = "local policy" if policy.local else f"list {policy.source}"
    if policy.severity is Severity.SUSPEND:
        return _suspended(policy, f"suspended by {origin} on {policy.domain}")
    limited = policy.severity is Severity.LIMIT
    return Effective(
        accept_inbox=True, deliver=True, fetch=True, show_in_public_timelines=not limited,
        follow_needs_approval=limited, accept_media=not policy.reject_media,
        accept_reports=not policy.reject_reports, suspended=False, limited=limited, policy=policy,
        reason=f"{policy.severity.value} by {origin} on {policy.domain}",
    )


def _preference(policy: DomainPolicy) -> tuple[bool, bool, int]:
    # Sort key at one domain: local first, then block before allow, then stricter first.
    return (not policy.local, policy.allow, -policy.severity.rank)


def _variants(host: str) -> list[str]:
    """Candidate policy domains for `host`, most specific first (port-specific before port-less)."""
    name, _, port = host.partition(":")
    labels = name.split(".")
    out: list[str] = []
    for i in range(len(labels)):
        suffix = ".".join(labels[i:])
        if port:
            out.append(f"{suffix}:{port}")
        out.append(suffix)
    return out


class PolicySet:
    """An immutable index of domain policies under one federation mode; cheap to query.

    Lookups cost one dict probe per label of the host (plus one SHA-256 per label when hash-only
    entries exist), whatever the number of policies.
    """

    def __init__(self, policies: list[DomainPolicy] | tuple[DomainPolicy, ...],
                 mode: FederationMode = FederationMode.BLOCKLIST) -> None:
        self.mode = FederationMode(mode)
        by_domain: dict[str, list[DomainPolicy]] = {}
        by_digest: dict[str, list[DomainPolicy]] = {}
        for policy in policies:
            if policy.digest:
                by_digest.setdefault(policy.digest, []).append(policy)
            else:
                by_domain.setdefault(policy.domain, []).append(policy)
        self._by_domain = {k: tuple(sorted(v, key=_preference)) for k, v in by_domain.items()}
        self._by_digest = {k: tuple(sorted(v, key=_preference)) for k, v in by_digest.items()}

    def __len__(self) -> int:
        return sum(map(len, self._by_domain.values())) + sum(map(len, self._by_digest.values()))

    def matches(self, domain: str) -> list[DomainPolicy]:
        """Every policy covering `domain`, most specific first, preferred first within a level."""
        chain: list[DomainPolicy] = []
        for variant in _variants(normalize_domain(domain)):
            level = self._by_domain.get(variant, ())
            if self._by_digest:
                hashed = self._by_digest.get(domain_digest(variant), ())
                level = tuple(sorted(level + hashed, key=_preference)) if hashed else level
            chain.extend(level)
        return chain

    def effective(self, domain: str) -> Effective:
        """Decide what may be done with `domain` (raises `InvalidDomain` for garbage)."""
        if self.mode is FederationMode.OPEN:
            normalize_domain(domain)
            return _unrestricted(None, "open federation mode")
        chain = self.matches(domain)
        winner = _winner(chain)
        if self.mode is FederationMode.ALLOWLIST and not any(p.allow for p in chain):
            return _suspended(winner, "not on the allowlist")
        if winner is None:
            return _unrestricted(None, "no policy")
        if winner.allow:
            origin = "local exception" if winner.local else f"allowed by list {winner.source}"
            return _unrestricted(winner, f"{origin} on {winner.domain}")
        return _blocked(winner)


def _winner(chain: list[DomainPolicy]) -> DomainPolicy | None:
    if not chain:
        return None
    first = chain[0]
    if first.local:
        return first
    # A list never overrides an opposing local decision further up the chain.
    opposing = next((p for p in chain if p.local and p.allow != first.allow), None)
    return opposing or first


def is_digest(text: str) -> bool:
    """True if `text` looks like a lowercase SHA-256 hex digest."""
    return bool(_DIGEST.fullmatch(text))
