"""Two real instances: a member of B joins A's groups (an open one accepts, a verified-only one refuses the
unverified), posts a thread to the open group by mentioning it, and A's group relays it back in an Announce; then a
reply and a like from a member of A, B's member's edit and delete of the thread reach B through the group's
Announces too."""
import json
import sqlite3

import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("groups")
    a, b = Instance(root / "a").start(), Instance(root / "b").start()
    try:
        a.cli("groups", "create", "heart", "--title", "Heart failure", "--specialty", "207RC0000X")
        a.cli("groups", "create", "cardio", "--title", "Verified cardiologists", "--join", "verified")
        yield {"A": a, "B": b, "bob": b.member("bob"), "alice": a.member("alice")}
    finally:
        a.stop()
        b.stop()


def relationship(client: Client, account_id: str) -> dict:
    return client.get("/api/v1/accounts/relationships", **{"id[]": account_id})[0]


def announces_received(instance: Instance, group_uri: str) -> list[dict]:
    with sqlite3.connect(instance.data_dir / "curbside.db") as db:
        rows = db.execute("SELECT activity FROM inbox_items WHERE signer = ?", (group_uri,)).fetchall()
    return [a for a in (json.loads(r[0]) for r in rows) if a["type"] == "Announce"]


def test_groups_join_then_a_thread_is_relayed_by_the_group(world):
    a, bob = world["A"], world["bob"]
    heart = bob.resolve(f"heart@{a.domain}")
    assert heart["url"] == f"{a.base_url}/groups/heart" or heart["uri"] == f"{a.base_url}/groups/heart"
    assert bob.post(f"/api/v1/curbside/groups/{heart['id']}/join")["state"] == "pending"  # until A accepts
    eventually(lambda: relationship(bob, heart["id"])["following"])
    thread = bob.status(f"@heart@{a.domain} SGLT2 inhibitors in HFpEF: who starts them in clinic?")
    group_uri = f"{a.base_url}/groups/heart"
    [announce] = eventually(lambda: announces_received(world["B"], group_uri))
    assert announce["actor"] == group_uri and announce["object"]["type"] == "Create"
    assert announce["object"]["object"]["id"] == thread["uri"]
    assert announce["audience"] == group_uri and announce["object"]["object"]["context"].startswith(group_uri)
    _reply_like_edit_and_delete_are_relayed(world, thread)


def _reply_like_edit_and_delete_are_relayed(world, thread: dict) -> None:
    a, bob, alice = world["A"], world["bob"], world["alice"]
    group_uri = f"{a.base_url}/groups/heart"
    [here] = [g for g in alice.get("/api/v1/curbside/groups") if g["name"] == "heart"]
    [on_a] = alice.get(f"/api/v1/curbside/groups/{here['id']}/threads")
    assert on_a["uri"] == thread["uri"]
    reply = alice.status("Yes, at the first visit after discharge", in_reply_to_id=on_a["id"])
    alice.post(f"/api/v1/statuses/{on_a['id']}/favourite")
    bob.put(f"/api/v1/statuses/{thread['id']}", status=f"@heart@{a.domain} SGLT2 inhibitors in HFpEF: who starts "
                                                         "them, and when?")
    eventually(lambda: len(announces_received(world["B"], group_uri)) >= 4)
    bob.delete(f"/api/v1/statuses/{thread['id']}")
    relayed = eventually(lambda: _kinds(announces_received(world["B"], group_uri), 5))
    assert sorted(relayed) == sorted([("Create", thread["uri"]), ("Create", reply["uri"]), ("Like", thread["uri"]),
                                      ("Update", thread["uri"]), ("Delete", thread["uri"])])


def _kinds(announces: list[dict], expected: int) -> list[tuple[str, str]] | None:
    """(type, post) of each activity relayed, once all `expected` arrived."""
    kinds = [(a["object"]["type"], _post_of(a["object"])) for a in announces]
    return kinds if len(kinds) >= expected else None


def _post_of(activity: dict) -> str:
    inner = activity["object"]
    return inner if isinstance(inner, str) else inner["id"]


def test_groups_verified_group_refuses_an_unverified_remote_member(world):
    a, bob = world["A"], world["bob"]
    cardio = bob.resolve(f"cardio@{a.domain}")
    bob.post(f"/api/v1/curbside/groups/{cardio['id']}/join")
    eventually(lambda: relationship(bob, cardio["id"])["requested"] is False or None)
    assert relationship(bob, cardio["id"])["following"] is False
    log = (a.data_dir / "serve.log").read_text()
    assert "group cardio: rejected" in log and "not verified by a verifier this instance trusts" in log
