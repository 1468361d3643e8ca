"""Parsing, exporting and diffing shared blocklists (moderation/blocklists.py)."""
import json
import random
import string

import pytest

from moderation.blocklists import (
    BlocklistError,
    detect_format,
    diff_policies,
    export_blocklist,
    format_diff,
    parse_blocklist,
)
from moderation.domains import DomainPolicy, PolicySet, Severity, domain_digest

MASTODON_CSV = """\
#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
bad.example,suspend,false,false,harassment,false
meh.example,silence,true,false,"spam, mostly",true
media.example,noop,true,true,,false
"""


def by_domain(policies):
    return {p.domain: p for p in policies}


# Each format --------------------------------------------------------------------------------

def test_parse_blocklist_mastodon_csv():
    got = by_domain(parse_blocklist(MASTODON_CSV))
    assert got["bad.example"] == DomainPolicy("bad.example", Severity.SUSPEND, public_comment="harassment")
    assert got["meh.example"] == DomainPolicy("meh.example", Severity.LIMIT, reject_media=True,
                                              public_comment="spam, mostly", obfuscate=True)
    assert got["media.example"] == DomainPolicy("media.example", Severity.NOOP, True, True)


def test_parse_blocklist_csv_columns_found_by_header_name():
    text = "#severity,#domain,#extra,#public_comment\nsilence,Meh.Example,whatever,noisy\n"
    assert parse_blocklist(text) == [DomainPolicy("meh.example", Severity.LIMIT, public_comment="noisy")]


def test_parse_blocklist_headerless_csv_and_comment_rows():
    text = "# old style list\nbad.example,suspend\nmeh.example,silence\nplain.example,\n"
    got = by_domain(parse_blocklist(text))
    assert detect_format(text) == "csv"
    assert got["bad.example"].severity is Severity.SUSPEND
    assert got["meh.example"].severity is Severity.LIMIT
    assert got["plain.example"].severity is Severity.SUSPEND


def test_parse_blocklist_csv_private_comment_column():
    text = "#domain,#severity,#private_comment\nx.example,suspend,ticket 42\n"
    assert parse_blocklist(text)[0].private_comment == "ticket 42"


def test_parse_blocklist_gotosocial_json():
    text = json.dumps([
        {"domain": "bumfaces.net", "suspended_at": "2020-05-13T13:29:12.000Z", "public_comment": "big jerks"},
        {"domain": "peepee.poopoo", "public_comment": "harassment", "obfuscate": True,
         "private_comment": "see thread", "id": "01H", "created_by": "01A"},
        {"domain": "nothanks.com", "suspended_at": "2020-05-13T13:29:12.000Z"},
    ])
    got = by_domain(parse_blocklist(text))
    assert got["bumfaces.net"] == DomainPolicy("bumfaces.net", public_comment="big jerks")
    assert got["peepee.poopoo"] == DomainPolicy("peepee.poopoo", public_comment="harassment",
                                                private_comment="see thread", obfuscate=True)
    assert got["nothanks.com"] == DomainPolicy("nothanks.com")


def test_parse_blocklist_mastodon_public_api_keeps_obfuscated_as_digest_entries():
    text = json.dumps([
        {"domain": "open.example", "digest": domain_digest("open.example"), "severity": "silence",
         "comment": "spam"},
        {"domain": "secr**.****ple", "digest": domain_digest("secret.example"), "severity": "suspend",
         "comment": "nasty"},
    ])
    opened, hidden = parse_blocklist(text)
    assert opened == DomainPolicy("open.example", Severity.LIMIT, public_comment="spam")
    assert hidden.digest == domain_digest("secret.example")
    assert hidden.domain == "secr**.****ple" and hidden.obfuscate
    assert hidden.key == f"sha256:{hidden.digest}"
    assert PolicySet([opened, hidden]).effective("www.secret.example").suspended


def test_parse_blocklist_plain_text_with_comments():
    text = "# our list\n\nbad.example\n  *.worse.example  # wildcard\nBücher.example\n"
    assert [p.domain for p in parse_blocklist(text)] == [
        "bad.example", "worse.example", "xn--bcher-kva.example"]
    assert detect_format(text) == "plain"


@pytest.mark.parametrize("text, fmt", [
    (MASTODON_CSV, "csv"), ('[{"domain": "a.example"}]', "json"), ("  \n[]", "json"),
    ("a.example\nb.example\n", "plain"), ("a.example # spam, harassment\n", "plain"),
    ("#domain\na.example\n", "csv"),
])
def test_detect_format(text, fmt):
    assert detect_format(text) == fmt


def test_parse_blocklist_accepts_bytes_with_bom():
    data = "\ufeff".encode() + MASTODON_CSV.encode()
    assert len(parse_blocklist(data)) == 3


def test_parse_blocklist_empty_lists_are_lists():
    assert parse_blocklist("[]") == []
    assert parse_blocklist("#domain,#severity\n") == []
    assert parse_blocklist("# nothing yet\n") == []


# Refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, reason_part", [
    ("#domain,#severity\na.example,suspend\n\nb.example,ban\n", 4, "severity"),
    ("#domain,#severity,#reject_media\na.example,suspend,maybe\n", 2, "reject_media"),
    ("#domain,#severity\na.example,suspend\nb.example,suspend,extra\n", 3, "fields"),
    ("#domain,#severity\na.example,suspend\nhttps://b.example/,suspend\n", 3, "URL"),
    ('#domain,#public_comment\na.example,"multi\nline"\nbad..example,x\n', 4, "label"),
    ('#domain,#public_comment\nbad..example,"starts here\nends here"\n', 2, "label"),
    ("a.example,suspend,false,false,c,false,p,surplus\n", 1, "fields"),
    ("#domain,#domain\na.example,b.example\n", 1, "twice"),
    ("# list\na.example\n\nnot a domain\n", 4, "label"),
    ("a.example\nbir*.***\n", 2, "*"),
])
def test_parse_blocklist_refuses_malformed_line(text, line, reason_part):
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist(text)
    assert caught.value.line == line
    assert reason_part in caught.value.reason


@pytest.mark.parametrize("entries, index, reason_part", [
    ([{"domain": "a.example"}, "b.example"], 2, "not an object"),
    ([{"domain": "a.example"}, {"domain": 7}], 2, "domain must be a string"),
    ([{"public_comment": "no domain"}], 1, "missing domain"),
    ([{"domain": "a.example"}, {"domain": "b.example"}, {"domain": "c.example", "obfuscate": "yes"}], 3,
     "obfuscate"),
    ([{"domain": "a.example", "severity": "nuke"}], 1, "severity"),
    ([{"domain": "a.example"}, {"domain": "sec***.example"}], 2, "digest"),
    ([{"domain": "sec***.example", "digest": "abc"}], 1, "digest"),
    ([{"domain": "sec***<b>", "digest": "0" * 64}], 1, "obfuscated"),
    ([{"domain": "a.example", "comment": ["x"]}], 1, "comment"),
    ([{"domain": "a.example"}, {"domain": "b.example", "public_comment": "spam \ud800"}], 2, "not valid text"),
    ([{"domain": "a.example", "private_comment": "a\x00b"}], 1, "not valid text"),
])
def test_parse_blocklist_refuses_malformed_json_entry(entries, index, reason_part):
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist(json.dumps(entries))
    assert caught.value.line == index
    assert reason_part in caught.value.reason
    assert str(caught.value).startswith(f"entry {index}:")


def test_parse_blocklist_refuses_broken_json_with_its_line():
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist('[\n{"domain": "a.example"},\n{"domain": }\n]')
    assert caught.value.line == 3


def test_parse_blocklist_refuses_json_object_at_top_level():
    with pytest.raises(BlocklistError, match="array"):
        parse_blocklist('{"domain": "a.example"}')


def test_parse_blocklist_refuses_invalid_utf8_with_its_line():
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist(b"a.example\nb\xff.example\n")
    assert caught.value.line == 2 and "UTF-8" in caught.value.reason


@pytest.mark.parametrize("data", ["", "   \n\n", b""])
def test_parse_blocklist_refuses_blank_document(data):
    with pytest.raises(BlocklistError, match="empty"):
        parse_blocklist(data)


def test_parse_blocklist_unknown_format_is_a_caller_error():
    with pytest.raises(ValueError, match="unknown blocklist format"):
        parse_blocklist("a.example", fmt="yaml")


def test_parse_blocklist_is_all_or_nothing():
    good = "".join(f"host{i}.example\n" for i in range(1000))
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist(good + "bad host.example\n")
    assert caught.value.line == 1001


def test_parse_blocklist_caps_entry_count():
    with pytest.raises(BlocklistError) as caught:
        parse_blocklist("a.example\nb.example\nc.example\n", max_entries=2)
    assert caught.value.line == 3


def test_parse_blocklist_forced_format_is_respected():
    with pytest.raises(BlocklistError):
        parse_blocklist("a.example,suspend\n", fmt="plain")


# Duplicates ---------------------------------------------------------------------------------

def test_parse_blocklist_duplicates_merge_into_stricter():
    text = ("#domain,#severity,#reject_media,#public_comment\n"
            "dup.example,silence,true,first\nother.example,suspend,false,\n*.DUP.example,suspend,false,\n")
    got = parse_blocklist(text)
    assert [p.domain for p in got] == ["dup.example", "other.example"]
    assert got[0] == DomainPolicy("dup.example", Severity.SUSPEND, reject_media=True, public_comment="first")


# Export and round trips ---------------------------------------------------------------------

def random_policy(rng, i):
    label = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(1, 12)))
    comment_chars = string.ascii_letters + ' ,;"\'#\n*éü漢'
    comment = lambda: "".join(rng.choice(comment_chars) for _ in range(rng.randint(0, 30)))  # noqa: E731
    return DomainPolicy(
        f"{label}{i}.example", rng.choice(list(Severity)), rng.random() < 0.5, rng.random() < 0.5,
        comment(), comment(), rng.random() < 0.3,
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_blocklist_full_round_trip(fmt):
    rng = random.Random(fmt)
    for _ in range(60):
        policies = [random_policy(rng, i) for i in range(rng.randint(0, 15))]
        if not policies:
            continue
        assert parse_blocklist(export_blocklist(policies, fmt, public=False)) == policies


def test_export_blocklist_plain_round_trip_keeps_domains():
    rng = random.Random(7)
    for _ in range(60):
        policies = [random_policy(rng, i) for i in range(rng.randint(1, 15))]
        parsed = parse_blocklist(export_blocklist(policies, "plain", public=False))
        assert parsed == [DomainPolicy(p.domain) for p in policies]


def test_export_blocklist_public_csv_is_mastodon_shaped_and_hides():
    policies = [DomainPolicy("open.example", Severity.LIMIT, public_comment="spam", private_comment="secret"),
                DomainPolicy("hidden.example", obfuscate=True)]
    text = export_blocklist(policies, "csv")
    assert text.splitlines()[0] == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
    assert "silence" in text and "secret" not in text and "hidden" not in text
    assert parse_blocklist(text) == [DomainPolicy("open.example", Severity.LIMIT, public_comment="spam")]


def test_export_blocklist_public_plain_leaves_out_obfuscated():
    policies = [DomainPolicy("open.example"), DomainPolicy("hidden.example", obfuscate=True)]
    assert export_blocklist(policies, "plain") == "open.example\n"
    assert export_blocklist(policies, "plain", public=False) == "open.example\nhidden.example\n"


def test_export_blocklist_public_json_is_mastodon_api_shape():
    policies = [DomainPolicy("birdsite.example", public_comment="why", private_comment="secret", obfuscate=True),
                DomainPolicy("open.example", Severity.LIMIT)]
    entries = json.loads(export_blocklist(policies, "json"))
    assert entries[0] == {"domain": "birds***.***mple", "digest": domain_digest("birdsite.example"),
                          "severity": "suspend", "comment": "why"}
    assert entries[1]["domain"] == "open.example" and entries[1]["severity"] == "silence"
    assert "secret" not in json.dumps(entries)


def test_export_blocklist_public_json_round_trips_through_digest():
    rng = random.Random(11)
    policies = [random_policy(rng, i) for i in range(40)]
    parsed = parse_blocklist(export_blocklist(policies, "json"))
    index = PolicySet(parsed)
    assert len(parsed) == len(policies)
    for original, back in zip(policies, parsed):
        assert back.private_comment == "" and back.public_comment == original.public_comment
        assert back.severity is original.severity
        if original.obfuscate and "*" in back.domain:
            assert back.digest == domain_digest(original.domain)
        assert index.effective(original.domain).policy == back


def test_export_blocklist_hash_only_entries_only_in_json():
    hashed = DomainPolicy("sec***.example", digest=domain_digest("secret.example"), obfuscate=True)
    assert export_blocklist([hashed], "plain", public=False) == ""
    assert "sec***" not in export_blocklist([hashed], "csv", public=False)
    assert parse_blocklist(export_blocklist([hashed], "json", public=False)) == [hashed]
    assert parse_blocklist(export_blocklist([hashed], "json")) == [hashed]


def test_export_blocklist_unknown_format():
    with pytest.raises(ValueError):
        export_blocklist([DomainPolicy("a.example")], "xml")


# Diff ---------------------------------------------------------------------------------------

def test_diff_policies_sorts_changes_into_four_groups():
    current = [DomainPolicy("same.example"), DomainPolicy("grow.example", Severity.LIMIT),
               DomainPolicy("gone.example")]
    incoming = [DomainPolicy("same.example", source="sub-1"), DomainPolicy("grow.example"),
                DomainPolicy("new.example", public_comment="spam")]
    diff = diff_policies(current, incoming)
    assert diff.added == (DomainPolicy("new.example", public_comment="spam"),)
    assert diff.changed == ((DomainPolicy("grow.example", Severity.LIMIT), DomainPolicy("grow.example")),)
    assert diff.removed == (DomainPolicy("gone.example"),)
    assert [p.domain for p in diff.unchanged] == ["same.example"]
    assert not diff.empty
    assert diff_policies(current, current).empty


def test_diff_policies_block_and_allow_are_different_entries():
    diff = diff_policies([DomainPolicy("x.example")], [DomainPolicy("x.example", allow=True)])
    assert len(diff.added) == 1 and len(diff.removed) == 1 and not diff.changed


def test_format_diff_reads_as_a_preview():
    diff = diff_policies(
        [DomainPolicy("grow.example", Severity.LIMIT), DomainPolicy("gone.example")],
        [DomainPolicy("grow.example", reject_media=True), DomainPolicy("new.example", public_comment="spam")],
    )
    text = format_diff(diff)
    assert text.splitlines()[0] == "1 to add, 1 to change, 1 to remove, 0 unchanged"
    assert '+ new.example  suspend "spam"' in text
    assert "~ grow.example  severity: limit -> suspend; reject_media: false -> true" in text
    assert "- gone.example  suspend" in text
