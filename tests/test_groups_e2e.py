"""Two real instances: a member of B joins A's groups (an open one accepts, a verified-only one refuses the
unverified), posts a thread to the open group by mentioning it, and A's group relays it back in an Announce."""
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
        yield {"A": a, "B": b, "bob": b.member("bob")}
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


def test_groups_verified_group_refuses_an_unverified_remote_member(world):
    a, bob = world["A"], world["bob"]
    cardio = bob.resolve(f"cardio@{a.domain}")
    bob.post(f"/api/v1/curbside/groups/{cardio['id']}/join")
    eventually(lambda: relationship(bob, cardio["id"])["requested"] is False or None)
    assert relationship(bob, cardio["id"])["following"] is False
    log = (a.data_dir / "serve.log").read_text()
    assert "group cardio: rejected" in log and "not verified by a verifier this instance trusts" in log
