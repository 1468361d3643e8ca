"""Three real instances: A hosts the group, bob on B starts a thread in it, carol on C follows it. A moderator on A
pins, locks and removes the thread, and bans bob: C shows the thread pinned, then locked, then gone; bob's next
thread is refused by the group and reaches no one."""
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("groups_moderation")
    a, b, c = Instance(root / "a").start(), Instance(root / "b").start(), Instance(root / "c").start()
    try:
        a.cli("groups", "create", "heart", "--title", "Heart failure")
        mod = a.member("mod")
        a.cli("groups", "moderators", "add", "heart", "mod")
        yield {"A": a, "B": b, "C": c, "mod": mod, "bob": b.member("bob"), "carol": c.member("carol")}
    finally:
        for instance in (a, b, c):
            instance.stop()


def joined(client: Client, acct: str) -> str:
    """The client's member joins the group `acct` elsewhere; the group's account id on their instance."""
    group = client.resolve(acct)
    client.post(f"/api/v1/curbside/groups/{group['id']}/join")
    eventually(lambda: client.get("/api/v1/accounts/relationships", **{"id[]": group["id"]})[0]["following"])
    return group["id"]


def threads(client: Client, group_id: str) -> list[dict]:
    return client.get(f"/api/v1/curbside/groups/{group_id}/threads")


def state_on(client: Client, group_id: str, uri: str) -> dict | None:
    """The thread's `curbside_thread` state as the client's instance shows it; None when it does not show it."""
    found = [t["curbside_thread"] for t in threads(client, group_id) if t["uri"] == uri]
    return found[0] if found else None


def test_group_moderation_reaches_a_third_instance(world):
    a, mod, bob, carol = world["A"], world["mod"], world["bob"], world["carol"]
    acct = f"heart@{a.domain}"
    on_b, on_c = joined(bob, acct), joined(carol, acct)
    thread = bob.status(f"@{acct} Loop diuretics before discharge: how do you titrate?")
    eventually(lambda: state_on(carol, on_c, thread["uri"]))  # relayed by A's group to C
    [here] = [g for g in mod.get("/api/v1/curbside/groups") if g["name"] == "heart"]
    [on_a] = [t for t in threads(mod, here["id"]) if t["uri"] == thread["uri"]]
    base = f"/api/v1/curbside/groups/{here['id']}"

    assert mod.post(f"{base}/threads/{on_a['id']}/pin")["pinned"] is True
    eventually(lambda: state_on(carol, on_c, thread["uri"]) == {"locked": False, "pinned": True})
    assert mod.post(f"{base}/threads/{on_a['id']}/lock", reason="answered")["locked"] is True
    eventually(lambda: state_on(carol, on_c, thread["uri"]) == {"locked": True, "pinned": True})

    refused = carol.post("/api/v1/statuses", expect=422, status=f"@{acct} One more question",
                         in_reply_to_id=_id_on(carol, on_c, thread["uri"]))
    assert "the thread is locked" in refused["error"]  # C knows, and says so before anything is sent

    mod.post(f"{base}/threads/{on_a['id']}/remove", reason="off topic")
    eventually(lambda: state_on(carol, on_c, thread["uri"]) is None)

    ban = mod.post(f"{base}/bans", expect=201, account_id=on_a["account"]["id"], reason="spam")
    assert ban["acct"] == f"bob@{world['B'].domain}"
    assert [b["account_id"] for b in mod.get(f"{base}/bans")] == [on_a["account"]["id"]]
    again = bob.status(f"@{acct} Still here")
    eventually(lambda: "banned from the group" in (a.data_dir / "serve.log").read_text())
    assert again["uri"] not in [t["uri"] for t in threads(mod, here["id"])]
    assert state_on(carol, on_c, again["uri"]) is None
    assert on_b


def _id_on(client: Client, group_id: str, uri: str) -> str:
    return [t["id"] for t in threads(client, group_id) if t["uri"] == uri][0]
