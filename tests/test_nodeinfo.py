"""NodeInfo discovery and documents, checked field by field against the 2.0/2.1 schemas."""
import pytest

from federation.nodeinfo import content_type, discovery_document, nodeinfo

ARGS = dict(
    software_name="curbside", software_version="0.1.0",
    repository="https://git.example/curbside", homepage="https://curbside.example",
    total_users=12, active_month=7, active_halfyear=9, local_posts=345,
    open_registrations=False, metadata={"nodeName": "Cardiology Society"},
)


def test_nodeinfo_discovery_links_both_versions():
    doc = discovery_document("https://med.example/")
    assert doc == {"links": [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
         "href": "https://med.example/nodeinfo/2.0"},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
         "href": "https://med.example/nodeinfo/2.1"},
    ]}


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_document_has_required_fields(version):
    doc = nodeinfo(version, **ARGS)
    assert set(doc) == {"version", "software", "protocols", "services",
                        "openRegistrations", "usage", "metadata"}
    assert doc["version"] == version
    assert doc["protocols"] == ["activitypub"]
    assert doc["services"] == {"inbound": [], "outbound": []}
    assert doc["openRegistrations"] is False
    assert doc["usage"] == {"users": {"total": 12, "activeMonth": 7, "activeHalfyear": 9},
                            "localPosts": 345}
    assert doc["metadata"] == {"nodeName": "Cardiology Society"}


def test_nodeinfo_20_software_has_no_repository_or_homepage():
    assert nodeinfo("2.0", **ARGS)["software"] == {"name": "curbside", "version": "0.1.0"}


def test_nodeinfo_21_software_has_repository_and_homepage():
    assert nodeinfo("2.1", **ARGS)["software"] == {
        "name": "curbside", "version": "0.1.0",
        "repository": "https://git.example/curbside", "homepage": "https://curbside.example",
    }


@pytest.mark.parametrize(
    "bad",
    [{"software_name": "Curbside"}, {"software_name": "curb side"}, {"total_users": -1},
     {"local_posts": 1.5}, {"active_month": True}],
)
def test_nodeinfo_refuses_values_the_schema_forbids(bad):
    with pytest.raises(ValueError):
        nodeinfo("2.1", **(ARGS | bad))


def test_nodeinfo_refuses_unknown_version():
    with pytest.raises(ValueError):
        nodeinfo("1.0", **ARGS)


def test_nodeinfo_content_type_names_the_schema_profile():
    assert content_type("2.1") == (
        'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"')
