"""Three real instances (issue 16's first Done-when line). A hosts the groups and trusts B's verifications, not C's.

Members of B and C join a verified-only group on A: B's verified member is taken; B's unverified member and C's
member (verified, but by C, which A does not trust) are refused. A thread started on B by mentioning A's open group
is relayed by the group, in Announces it signs, to its followers on B and C (and shown to its member on A); replies
(from A, and from C with no mention of the group: C addresses a reply in the group's thread to the group, as Lemmy
does), likes (from A, and from C: C sends it to the group too), an edit and the delete follow it there.
A members-only group sends nothing off-instance: no delivery row, nothing in B's or C's inbox."""
import json
import sqlite3

import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
STAFF = ("read", "write", "follow", "admin:read", "admin:write")
HEART_FAILURE = "207RC0000X"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("groups")
    a, b, c = Instance(root / "a").start(), Instance(root / "b").start(), Instance(root / "c").start()
    try:
        a.cli("groups", "create", "heart", "--title", "Heart failure", "--specialty", HEART_FAILURE)
        a.cli("groups", "create", "cardio", "--title", "Verified cardiologists", "--join", "verified")
        a.cli("verifiers", "trust", b.domain)  # and not c.domain
        members = {"alice": a.member("alice"), "admin": a.member("admin", "admin", STAFF), "bob": b.member("bob"),
                   "vera": b.member("vera"), "carl": c.member("carl")}
        for instance, name in ((b, "vera"), (c, "carl")):
            instance.cli("verifications", "grant", name, "--profession", "physician", "--specialty", HEART_FAILURE,
                         "--jurisdiction", "US-CA")
        yield {"A": a, "B": b, "C": c, **members}
    finally:
        for instance in (a, b, c):
            instance.stop()


def query(instance: Instance, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(instance.data_dir / "curbside.db") as db:
        return db.execute(sql, args).fetchall()


def signed_by(instance: Instance, actor_uri: str) -> list[dict]:
    """The activities `actor_uri` signed that reached the instance's inbox."""
    return [json.loads(row[0]) for row in query(instance, "SELECT activity FROM inbox_items WHERE signer = ?",
                                                actor_uri)]


def announces_received(instance: Instance, group_uri: str) -> list[dict]:
    return [a for a in signed_by(instance, group_uri) if a["type"] == "Announce"]


def relationship(client: Client, account_id: str) -> dict:
    return client.get("/api/v1/accounts/relationships", **{"id[]": account_id})[0]


def join(client: Client, acct: str) -> str:
    """The member asks to join the group `acct`; returns the group's account id as their instance shows it."""
    group = client.resolve(acct)
    client.post(f"/api/v1/curbside/groups/{group['id']}/join")
    return group["id"]


def joined(client: Client, group_id: str) -> bool:
    return eventually(lambda: relationship(client, group_id)["following"])


def refused(client: Client, group_id: str) -> bool:
    """The group answered with a Reject: no longer requested, not following."""
    eventually(lambda: relationship(client, group_id)["requested"] is False or None)
    return relationship(client, group_id)["following"] is False


def test_groups_verified_group_takes_only_members_verified_by_a_trusted_verifier(world):
    a, b, c = world["A"], world["B"], world["C"]
    vera, bob, carl = world["vera"], world["bob"], world["carl"]
    cardio = f"cardio@{a.domain}"
    assert joined(vera, join(vera, cardio))
    assert refused(bob, join(bob, cardio))
    assert refused(carl, join(carl, cardio))
    # Carl's attestation is valid; it is C, his verifier, that A does not trust.
    [(state, issuer)] = query(a, "SELECT state, issuer_domain FROM remote_attestations JOIN actors "
                                 "ON actors.id = remote_attestations.actor_id WHERE actors.uri = ?",
                              f"{c.base_url}/users/carl")
    assert (state, issuer) == ("valid", c.domain)
    log = a.log.read_text()
    assert f"group cardio: accepted {b.base_url}/users/vera" in log
    for refused_uri in (f"{b.base_url}/users/bob", f"{c.base_url}/users/carl"):
        assert f"group cardio: rejected {refused_uri}: only verified clinicians may join" in log
    assert "not verified by a verifier this instance trusts" in log


def test_groups_a_thread_from_b_is_relayed_to_followers_on_a_b_and_c(world):
    a, b, c, alice, bob, carl = (world[k] for k in ("A", "B", "C", "alice", "bob", "carl"))
    heart, group_uri = f"heart@{a.domain}", f"{a.base_url}/groups/heart"
    for member in (bob, carl):
        assert joined(member, join(member, heart))
    [here] = [g for g in alice.get("/api/v1/curbside/groups") if g["name"] == "heart"]
    alice.post(f"/api/v1/curbside/groups/{here['id']}/join")
    thread = bob.status(f"@{heart} SGLT2 inhibitors in HFpEF: who starts them in clinic?")
    for instance in (b, c):
        [announce] = eventually(lambda instance=instance: announces_received(instance, group_uri))
        assert announce["actor"] == group_uri and announce["object"]["type"] == "Create"
        assert announce["object"]["object"]["id"] == thread["uri"]
        assert announce["audience"] == group_uri and announce["object"]["object"]["context"].startswith(group_uri)
    boosted = eventually(lambda: [s for s in alice.home() if s["reblog"] and s["reblog"]["uri"] == thread["uri"]])
    assert boosted[0]["account"]["acct"] == "heart" and boosted[0]["account"]["group"] is True
    _replies_like_edit_and_delete_are_relayed(world, thread)


def _replies_like_edit_and_delete_are_relayed(world, thread: dict) -> None:
    a, b, c, alice, bob, carl = (world[k] for k in ("A", "B", "C", "alice", "bob", "carl"))
    group_uri = f"{a.base_url}/groups/heart"
    [here] = [g for g in alice.get("/api/v1/curbside/groups") if g["name"] == "heart"]
    [on_a] = alice.get(f"/api/v1/curbside/groups/{here['id']}/threads")
    assert on_a["uri"] == thread["uri"]
    reply = alice.status("Yes, at the first visit after discharge", in_reply_to_id=on_a["id"])
    alice.post(f"/api/v1/statuses/{on_a['id']}/favourite")
    [on_c] = carl.get("/api/v2/search", q=thread["uri"], resolve="true", type="statuses")["statuses"]
    carl.post(f"/api/v1/statuses/{on_c['id']}/favourite")
    from_c = carl.status("We wait for eGFR to settle first", in_reply_to_id=on_c["id"])  # no mention of the group
    bob.put(f"/api/v1/statuses/{thread['id']}", status=f"@heart@{a.domain} SGLT2 inhibitors in HFpEF: who starts "
                                                         "them, and when?")
    eventually(lambda: len(announces_received(c, group_uri)) >= 6)
    bob.delete(f"/api/v1/statuses/{thread['id']}")
    expected = sorted([("Create", thread["uri"]), ("Create", reply["uri"]), ("Create", from_c["uri"]),
                       ("Like", thread["uri"]), ("Like", thread["uri"]), ("Update", thread["uri"]),
                       ("Delete", thread["uri"])])
    for instance in (b, c):
        relayed = eventually(lambda instance=instance: _kinds(announces_received(instance, group_uri), 7))
        assert sorted(relayed) == expected
    likers = sorted(x["object"]["actor"] for x in announces_received(b, group_uri) if x["object"]["type"] == "Like")
    assert likers == sorted([f"{a.base_url}/users/alice", f"{c.base_url}/users/carl"])
    [carls_reply] = [x["object"] for x in announces_received(b, group_uri) if _post_of(x["object"]) == from_c["uri"]]
    assert carls_reply["audience"] == group_uri and group_uri in carls_reply["object"]["cc"]
    eventually(lambda: carl.get(f"/api/v1/statuses/{on_c['id']}", expect=404) is not None)


def _kinds(announces: list[dict], expected: int) -> list[tuple[str, str]] | None:
    """(type, post) of each activity relayed, once all `expected` arrived."""
    kinds = [(a["object"]["type"], _post_of(a["object"])) for a in announces]
    return kinds if len(kinds) >= expected else None


def _post_of(activity: dict) -> str:
    inner = activity["object"]
    return inner if isinstance(inner, str) else inner["id"]


def test_groups_members_only_group_sends_nothing_off_instance(world):
    a, b, c, alice, admin, bob, carl = (world[k] for k in ("A", "B", "C", "alice", "admin", "bob", "carl"))
    a.cli("groups", "create", "lounge", "--title", "Residents' lounge")
    lounge, group_uri = f"lounge@{a.domain}", f"{a.base_url}/groups/lounge"
    for member in (bob, carl):  # followers elsewhere from before the group became members-only
        assert joined(member, join(member, lounge))
    [here] = [g for g in alice.get("/api/v1/curbside/groups") if g["name"] == "lounge"]
    admin.http.patch(f"/api/v1/curbside/groups/{here['id']}", json={"members_only": True}).raise_for_status()
    sent_before = query(a, "SELECT d.activity_uri FROM deliveries d JOIN actors ON actors.id = d.signer_id "
                           "WHERE actors.uri = ?", group_uri)
    alice.post(f"/api/v1/curbside/groups/{here['id']}/join")
    thread = alice.status(f"@{lounge} Rota swaps for the holidays: post yours here")
    reply = alice.status("I can take the 26th", in_reply_to_id=thread["id"])
    alice.post(f"/api/v1/statuses/{thread['id']}/favourite")
    alice.delete(f"/api/v1/statuses/{reply['id']}")
    assert [t["uri"] for t in alice.get(f"/api/v1/curbside/groups/{here['id']}/threads")] == [thread["uri"]]
    # What went out to B and C was the Accepts of their follows, before; nothing since.
    assert query(a, "SELECT d.activity_uri FROM deliveries d JOIN actors ON actors.id = d.signer_id "
                    "WHERE actors.uri = ?", group_uri) == sent_before
    assert not query(a, "SELECT inbox FROM deliveries WHERE body LIKE ?", f"%{thread['uri']}%")
    _settle(world)
    for instance in (b, c):
        assert {x["type"] for x in signed_by(instance, group_uri)} == {"Accept"}
        assert not query(instance, "SELECT id FROM inbox_items WHERE activity LIKE ?", f"%{thread['uri']}%")


def _settle(world) -> None:
    """Wait until A has no delivery waiting, so that what B and C hold is all they will get."""
    eventually(lambda: not query(world["A"], "SELECT id FROM deliveries WHERE state = 'queued'"), timeout=10)
