"""Domain normalisation, obfuscation and the federation decision (moderation/domains.py)."""
import hashlib

import pytest

from moderation.domains import (
    DomainPolicy,
    FederationMode,
    InvalidDomain,
    PolicySet,
    Severity,
    domain_digest,
    normalize_domain,
    obfuscate_domain,
    stricter,
)

LIST = "sub-1"  # a subscription id: policies with this source came from a list


def block(domain, severity=Severity.SUSPEND, source=None, **kw):
    return DomainPolicy(domain, severity, source=source, **kw)


def allow(domain, source=None):
    return DomainPolicy(domain, Severity.NOOP, source=source, allow=True)


# normalize_domain ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Example.COM", "example.com"),
    ("  example.com.  ", "example.com"),
    ("*.example.com", "example.com"),
    ("Bücher.example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
    ("localhost:8001", "localhost:8001"),
    ("LocalHost:08001", "localhost:8001"),
    ("127.0.0.1", "127.0.0.1"),
    ("under_score.example", "under_score.example"),
])
def test_normalize_domain_canonical_form(raw, expected):
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize("raw, reason_part", [
    ("", "empty"),
    ("   ", "empty"),
    ("https://example.com", "URL"),
    ("example.com/path", "/"),
    ("admin@example.com", "@"),
    ("bir*.***", "*"),
    ("*.*.example.com", "*"),
    ("a..b", "label"),
    ("-bad.example", "label"),
    ("bad-.example", "label"),
    ("exa mple.com", "label"),
    ("a" * 64 + ".example", "label"),
    (("a" * 60 + ".") * 5 + "com", "253"),
    ("xn--zz.example", "punycode"),
    ("example.com:99999", "port"),
    ("example.com:", "port"),
    ("[::1]:80", "IPv6"),
    ("example.com:0", "port"),
    ("\u200b.example", "internationalised"),
])
def test_normalize_domain_refuses_garbage_with_reason(raw, reason_part):
    with pytest.raises(InvalidDomain) as caught:
        normalize_domain(raw)
    assert isinstance(caught.value, ValueError)
    assert reason_part in caught.value.reason


@pytest.mark.parametrize("value", [None, 42, ["example.com"], b"example.com"])
def test_normalize_domain_refuses_non_strings(value):
    with pytest.raises(InvalidDomain, match="not a string"):
        normalize_domain(value)


# Severity, obfuscation, digest --------------------------------------------------------------

def test_severity_accepts_mastodon_silence_as_limit():
    assert Severity("silence") is Severity.LIMIT
    assert Severity("SUSPEND") is Severity.SUSPEND
    with pytest.raises(ValueError):
        Severity("ban")


def test_obfuscate_domain_matches_mastodon_rule():
    # len 16, a quarter is 4: indices 5..11 hidden, dots kept.
    assert obfuscate_domain("birdsite.example") == "birds***.***mple"


@pytest.mark.parametrize("domain", ["a", "ab", "a.b", "example.com", "very.long.sub.domain.example.org"])
def test_obfuscate_domain_keeps_structure(domain):
    hidden = obfuscate_domain(domain)
    assert len(hidden) == len(domain)
    assert [i for i, c in enumerate(hidden) if c == "."] == [i for i, c in enumerate(domain) if c == "."]
    assert hidden[0] == domain[0]
    if len(domain) >= 4:
        assert hidden[-1] == domain[-1]
    assert all(h in ("*", d) for h, d in zip(hidden, domain))
    if len(domain) >= 3:
        assert "*" in hidden


def test_domain_digest_is_sha256_hex_of_domain():
    assert domain_digest("example.com") == (
        "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947")
    assert domain_digest("bad.example") == hashlib.sha256(b"bad.example").hexdigest()


def test_stricter_keeps_harsher_severity_and_ors_flags():
    merged = stricter(block("x.example", Severity.LIMIT, reject_media=True, public_comment="spam"),
                      block("x.example", Severity.SUSPEND, obfuscate=True))
    assert merged.severity is Severity.SUSPEND
    assert merged.reject_media and merged.obfuscate
    assert merged.public_comment == "spam"


# Matching -----------------------------------------------------------------------------------

@pytest.mark.parametrize("host, suspended", [
    ("example.com", True),
    ("sub.example.com", True),
    ("deep.sub.example.com", True),
    ("EXAMPLE.com.", True),
    ("notexample.com", False),
    ("example.com.evil.net", False),
    ("example.org", False),
])
def test_policyset_block_covers_subdomains_only(host, suspended):
    policies = PolicySet([block("example.com")])
    assert policies.effective(host).suspended is suspended


def test_policyset_wildcard_spelling_covers_subdomains():
    policies = PolicySet([block(normalize_domain("*.example.com"))])
    assert policies.effective("a.example.com").suspended
    assert policies.effective("example.com").suspended


def test_policyset_most_specific_policy_wins():
    policies = PolicySet([block("example.com"), block("ok.example.com", Severity.LIMIT)])
    assert policies.effective("ok.example.com").limited
    assert not policies.effective("ok.example.com").suspended
    assert policies.effective("x.ok.example.com").limited
    assert policies.effective("other.example.com").suspended


def test_policyset_local_exception_beats_more_specific_list_block():
    policies = PolicySet([allow("example.com"), block("bad.example.com", source=LIST)])
    result = policies.effective("bad.example.com")
    assert not result.suspended and result.accept_inbox
    assert result.policy == allow("example.com")
    assert "local exception" in result.reason


def test_policyset_list_allow_does_not_beat_local_block():
    policies = PolicySet([block("example.com"), allow("good.example.com", source=LIST)])
    assert policies.effective("good.example.com").suspended


def test_policyset_list_exception_still_beats_less_specific_list_block():
    policies = PolicySet([block("example.com", source=LIST), allow("good.example.com", source="sub-2")])
    assert not policies.effective("good.example.com").suspended
    assert policies.effective("bad.example.com").suspended


def test_policyset_list_block_more_specific_than_local_block_applies():
    # A local limit on the parent is not an exception; use an allow for that.
    policies = PolicySet([block("example.com", Severity.LIMIT), block("bad.example.com", source=LIST)])
    assert policies.effective("bad.example.com").suspended
    assert policies.effective("meh.example.com").limited


def test_policyset_same_domain_local_beats_list_and_block_beats_allow():
    local_first = PolicySet([block("x.example", source=LIST), block("x.example", Severity.LIMIT)])
    assert local_first.effective("x.example").limited
    block_first = PolicySet([allow("y.example", source=LIST), block("y.example", source="sub-2")])
    assert block_first.effective("y.example").suspended
    stricter_first = PolicySet([block("z.example", Severity.LIMIT, source=LIST),
                                block("z.example", source="sub-2")])
    assert stricter_first.effective("z.example").suspended


def test_policyset_effects_of_each_severity():
    policies = PolicySet([
        block("s.example"), block("l.example", Severity.LIMIT),
        block("n.example", Severity.NOOP, reject_media=True, reject_reports=True),
    ])
    s, limit, noop, free = (policies.effective(h) for h in ("s.example", "l.example", "n.example", "free.example"))
    assert (s.accept_inbox, s.deliver, s.fetch, s.accept_media, s.accept_reports) == (False,) * 5
    assert s.suspended and not s.limited and not s.show_in_public_timelines
    assert limit.accept_inbox and limit.deliver and limit.fetch and limit.accept_media
    assert limit.limited and not limit.show_in_public_timelines and limit.follow_needs_approval
    assert noop.accept_inbox and noop.show_in_public_timelines and not noop.limited
    assert not noop.accept_media and not noop.accept_reports
    assert free.accept_inbox and free.accept_media and free.policy is None and not free.follow_needs_approval


def test_policyset_limit_keeps_media_unless_rejected():
    policies = PolicySet([block("l.example", Severity.LIMIT, reject_media=True)])
    assert not policies.effective("l.example").accept_media
    assert policies.effective("l.example").accept_reports


def test_policyset_reason_names_the_list():
    result = PolicySet([block("x.example", source=LIST)]).effective("a.x.example")
    assert LIST in result.reason and "x.example" in result.reason


def test_policyset_port_specific_and_portless_policies():
    policies = PolicySet([block("example.com"), block("localhost:8001")])
    assert policies.effective("example.com:8443").suspended
    assert policies.effective("localhost:8001").suspended
    assert not policies.effective("localhost:8002").suspended
    assert not policies.effective("localhost").suspended


def test_policyset_hash_only_entry_matches_domain_and_subdomains():
    hashed = DomainPolicy("sec***.example", digest=domain_digest("secret.example"), obfuscate=True)
    policies = PolicySet([hashed])
    assert policies.effective("secret.example").suspended
    assert policies.effective("a.secret.example").suspended
    assert policies.effective("secret.example").policy == hashed
    assert not policies.effective("sec123.example").suspended


def test_policyset_refuses_garbage_host():
    with pytest.raises(InvalidDomain):
        PolicySet([block("x.example")]).effective("http://x.example/")


# Federation modes ---------------------------------------------------------------------------

def test_policyset_allowlist_mode_suspends_anything_not_allowed():
    policies = PolicySet([allow("friend.example")], FederationMode.ALLOWLIST)
    stranger = policies.effective("stranger.example")
    assert stranger.suspended and not stranger.accept_inbox
    assert stranger.reason == "not on the allowlist"
    assert not policies.effective("friend.example").suspended
    assert not policies.effective("social.friend.example").suspended


def test_policyset_allowlist_mode_blocks_still_apply_inside_allowed_domain():
    policies = PolicySet([allow("friend.example"), block("spam.friend.example", Severity.LIMIT)],
                         FederationMode.ALLOWLIST)
    assert policies.effective("spam.friend.example").limited
    assert not policies.effective("spam.friend.example").suspended


def test_policyset_allowlist_mode_limit_without_allow_is_suspended():
    policies = PolicySet([block("l.example", Severity.LIMIT)], "allowlist")
    assert policies.effective("l.example").suspended


def test_policyset_blocklist_mode_is_the_default_and_ignores_missing_allows():
    policies = PolicySet([block("bad.example")])
    assert policies.mode is FederationMode.BLOCKLIST
    assert not policies.effective("anyone.example").suspended


def test_policyset_open_mode_enforces_nothing_but_still_validates():
    policies = PolicySet([block("bad.example")], FederationMode.OPEN)
    assert not policies.effective("bad.example").suspended
    with pytest.raises(InvalidDomain):
        policies.effective("not a domain")


# Scale --------------------------------------------------------------------------------------

def test_policyset_handles_100k_entries():
    # Its speed is measured by bench/moderation_policies.py, not here: timed asserts fail on busy machines.
    policies = [block(f"host{i}.example{i % 97}.net", Severity.SUSPEND if i % 3 else Severity.LIMIT,
                      source=None if i % 2 else LIST) for i in range(100_000)]
    index = PolicySet(policies)
    hosts = [f"a.b.host{i * 7}.example{(i * 7) % 97}.net" for i in range(5_000)]
    hosts += [f"user{i}.elsewhere{i}.org" for i in range(5_000)]
    hits = sum(index.effective(h).policy is not None for h in hosts)
    assert len(index) == 100_000 and hits == 5_000
