"""WebFinger handles, the JRD we serve, host-meta, and reading remote JRDs."""
import xml.etree.ElementTree as ET

import pytest

from federation.webfinger import (
    WebfingerError,
    actor_id_from_jrd,
    build_jrd,
    host_meta_xml,
    parse_acct,
)

AS_LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("acct:alice@example.org", ("alice", "example.org")),
        ("alice@example.org", ("alice", "example.org")),
        ("@alice@example.org", ("alice", "example.org")),
        ("acct:alice@localhost:8001", ("alice", "localhost:8001")),
        ("Dr.Jane_Doe-2@Med.Example.ORG", ("Dr.Jane_Doe-2", "med.example.org")),
        ("bob@bücher.example", ("bob", "xn--bcher-kva.example")),
    ],
)
def test_webfinger_parse_acct_accepts_handles(resource, expected):
    assert parse_acct(resource) == expected


@pytest.mark.parametrize(
    "resource",
    [
        "", "alice", "@alice", "alice@", "@alice@", "acct:@alice@example.org",
        "alice@example.org@evil.example", "alice@evil.example/path", "alice@evil.example?x=1",
        "al ice@example.org", "alice@exa mple.org", "alice@-bad.example", "alice@example..org",
        "alice@example.org:0", "alice@example.org:99999", "alice@example.org:80x",
        "alice@[::1]", "https://example.org/@alice", "a/b@example.org", "alice@example.org.",
        "alice@" + "a" * 64 + ".example",
    ],
)
def test_webfinger_parse_acct_refuses_garbage(resource):
    with pytest.raises(WebfingerError):
        parse_acct(resource)


def test_webfinger_parse_acct_refuses_non_string():
    with pytest.raises(WebfingerError):
        parse_acct(None)


def test_webfinger_build_jrd_has_self_profile_and_subscribe_links():
    jrd = build_jrd(
        subject="acct:alice@med.example",
        actor_id="https://med.example/users/alice",
        profile_url="https://med.example/@alice",
        aliases=["https://med.example/@alice", "https://med.example/users/alice"],
    )
    assert jrd["subject"] == "acct:alice@med.example"
    assert jrd["aliases"] == ["https://med.example/@alice", "https://med.example/users/alice"]
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"] == {
        "rel": "self", "type": "application/activity+json",
        "href": "https://med.example/users/alice",
    }
    profile = links["http://webfinger.net/rel/profile-page"]
    assert (profile["type"], profile["href"]) == ("text/html", "https://med.example/@alice")
    subscribe = links["http://ostatus.org/schema/1.0/subscribe"]
    assert subscribe["template"] == "https://med.example/authorize_interaction?uri={uri}"
    assert actor_id_from_jrd(jrd) == "https://med.example/users/alice"


def test_webfinger_build_jrd_takes_a_subscribe_template():
    jrd = build_jrd(subject="acct:a@x.example", actor_id="https://x.example/u/a",
                    profile_url="https://x.example/a", aliases=[],
                    subscribe_template="https://x.example/follow?acct={uri}")
    assert jrd["links"][2]["template"] == "https://x.example/follow?acct={uri}"


def test_webfinger_host_meta_points_lrdd_at_webfinger():
    root = ET.fromstring(host_meta_xml("https://med.example/"))
    assert root.tag == "{http://docs.oasis-open.org/ns/xri/xrd-1.0}XRD"
    link = root.find("{http://docs.oasis-open.org/ns/xri/xrd-1.0}Link")
    assert link.get("rel") == "lrdd"
    assert link.get("template") == "https://med.example/.well-known/webfinger?resource={uri}"


def test_webfinger_host_meta_escapes_the_base_url():
    root = ET.fromstring(host_meta_xml('https://x.example/"<&'))
    assert root[0].get("template").startswith('https://x.example/"<&/')


@pytest.mark.parametrize("media", ["application/activity+json", AS_LD])
def test_webfinger_actor_id_from_jrd_picks_activitypub_self_link(media):
    jrd = {"links": [
        {"rel": "self", "type": "text/html", "href": "https://r.example/@bob"},
        {"rel": "http://webfinger.net/rel/profile-page", "type": media, "href": "https://r.example/p"},
        {"rel": "self", "type": media, "href": "https://r.example/users/bob"},
    ]}
    assert actor_id_from_jrd(jrd) == "https://r.example/users/bob"


@pytest.mark.parametrize(
    "jrd",
    [
        None, [], "x", {}, {"links": "x"}, {"links": [None, 3, "x"]},
        {"links": [{"rel": "self", "type": "application/ld+json", "href": "https://r.example/u"}]},
        {"links": [{"rel": "self", "type": "application/activity+json", "href": 5}]},
        {"links": [{"rel": "self", "type": "application/activity+json", "href": "javascript:x"}]},
        {"links": [{"rel": "self", "type": ["application/activity+json"], "href": "https://r/u"}]},
    ],
)
def test_webfinger_actor_id_from_jrd_refuses_hostile_documents(jrd):
    with pytest.raises(WebfingerError):
        actor_id_from_jrd(jrd)
