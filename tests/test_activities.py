"""federation.activities: builders produce what Mastodon sends (checked against its real payloads)."""
import json
from pathlib import Path

from federation import activities, vocab

MASTODON = Path(__file__).parent / "data" / "fixtures_real" / "mastodon" / "activities"


def _real(name: str) -> dict:
    doc = json.loads((MASTODON / name).read_text())
    doc.pop("signature", None)  # LD signature: not ours to produce
    return doc


def _without_context(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "@context"}


def test_activities_follow_matches_mastodon():
    real = _real("follow.json")
    assert activities.follow(real["id"], real["actor"], real["object"]) == real


def test_activities_undo_follow_matches_mastodon():
    real = _real("undo_follow.json")
    inner = real["object"]
    built = activities.undo(real["id"], real["actor"],
                            activities.follow(inner["id"], inner["actor"], inner["object"]))
    assert built == real
    assert "@context" not in built["object"]


def test_activities_like_and_undo_like_match_mastodon():
    like = _real("like_page.json")
    assert activities.like(like["id"], like["actor"], like["object"]) == like
    undo = _real("undo_like_page.json")
    inner = undo["object"]
    assert activities.undo(undo["id"], undo["actor"],
                           activities.like(inner["id"], inner["actor"], inner["object"])) == undo


def test_activities_delete_matches_mastodon_apart_from_context():
    real = _real("delete.json")
    built = activities.delete(real["id"], real["actor"], activities.tombstone(real["object"]["id"]),
                              to=real["to"])
    assert _without_context(built) == _without_context(real)


def test_activities_accept_embeds_the_follow_and_parses():
    follow = activities.follow("https://a.example/f/1", "https://a.example/users/x", "https://b.example/users/y")
    accept = activities.accept("https://b.example/users/y#accepts/follows/1", "https://b.example/users/y", follow)
    assert accept["object"] == _without_context(follow)
    parsed = vocab.parse_activity(accept)
    assert (parsed.type, parsed.actor, parsed.object_id) == ("Accept", "https://b.example/users/y",
                                                            "https://a.example/f/1")
    assert activities.reject("https://b.example/r/1", "https://b.example/users/y", follow)["type"] == "Reject"


def test_activities_announce_carries_audience_and_published():
    built = activities.announce("https://a.example/users/x/statuses/2/activity", "https://a.example/users/x",
                                "https://b.example/notes/1", "2024-01-02T03:04:05Z",
                                to=["https://www.w3.org/ns/activitystreams#Public"],
                                cc=["https://a.example/users/x/followers"])
    assert list(built) == ["@context", "id", "type", "actor", "published", "to", "cc", "object"]
    parsed = vocab.parse_activity(built)
    assert parsed.cc == ("https://a.example/users/x/followers",) and parsed.published.year == 2024


def test_activities_update_block_and_empty_audience():
    note = {"@context": activities.AS_CONTEXT, "id": "https://a.example/n/1", "type": "Note"}
    update = activities.update("https://a.example/n/1#updates/1", "https://a.example/users/x", note,
                               to=["https://www.w3.org/ns/activitystreams#Public"])
    assert update["object"] == {"id": "https://a.example/n/1", "type": "Note"} and "cc" not in update
    block = activities.block("https://a.example/b/1", "https://a.example/users/x", "https://b.example/users/y")
    assert vocab.parse_activity(block).object_id == "https://b.example/users/y"
    assert "to" not in activities.like("https://a.example/l/1", "https://a.example/users/x", "https://b.example/n")


def test_activities_group_announce_keeps_the_embedded_activitys_terms():
    case_terms = {"curbside": "https://a.example/ns#", "case": "curbside:case"}
    create = {"@context": [activities.AS_CONTEXT, "https://w3id.org/security/v1", case_terms],
              "id": "https://b.example/c/1", "type": "Create", "actor": "https://b.example/u/bob",
              "object": {"id": "https://b.example/p/1", "type": "Page", "name": "A case", "case": {"state": "open"}}}
    announce = activities.group_announce("https://a.example/g/heart/a/1", "https://a.example/g/heart",
                                         "https://a.example/g/heart/followers", create)
    assert announce["@context"] == [activities.AS_CONTEXT, "https://w3id.org/security/v1", case_terms]
    assert "@context" not in announce["object"]
    plain = activities.group_announce("https://a.example/g/heart/a/2", "https://a.example/g/heart",
                                      "https://a.example/g/heart/followers",
                                      {**create, "@context": activities.AS_CONTEXT})
    assert plain["@context"] == activities.AS_CONTEXT
