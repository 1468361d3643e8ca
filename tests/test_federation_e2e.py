"""Two real instances on loopback, talking ActivityPub: follows, posts of every visibility, replies,
likes, boosts, edits, deletes and unfollows flow both ways, each seen only by those it is addressed to."""
import httpx
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("federation")
    a, b = Instance(root / "a").start(), Instance(root / "b").start()
    try:
        yield {"A": a, "B": b, "alice": a.member("alice"), "carol": a.member("carol"), "bob": b.member("bob")}
    finally:
        a.stop()
        b.stop()


def ids(statuses: list[dict]) -> set[str]:
    return {s["uri"] for s in statuses}


def find_on(client: Client, uri: str) -> dict | None:
    found = client.get("/api/v2/search", q=uri, type="statuses")["statuses"]
    return found[0] if found else None


@pytest.fixture(scope="module")
def following(world):
    alice, bob, b = world["alice"], world["bob"], world["B"]
    bob_on_a = alice.resolve(f"bob@{b.domain}")
    alice.post(f"/api/v1/accounts/{bob_on_a['id']}/follow")
    eventually(lambda: alice.get("/api/v1/accounts/relationships", **{"id[]": bob_on_a["id"]})[0]["following"])
    alice_on_b = bob.resolve(f"alice@{world['A'].domain}")
    return {"bob_on_a": bob_on_a, "alice_on_b": alice_on_b}


def test_federation_follow_is_accepted_and_seen_on_both_sides(world, following):
    bob = world["bob"]
    followers = bob.get(f"/api/v1/accounts/{bob.get('/api/v1/accounts/verify_credentials')['id']}/followers")
    assert [f["acct"] for f in followers] == [f"alice@{world['A'].domain}"]


def test_federation_posts_reach_only_their_audience(world, following):
    alice, carol, bob = world["alice"], world["carol"], world["bob"]
    alice_acct = f"alice@{world['A'].domain}"
    public = bob.status("Grand rounds today: atrial fibrillation #cardiology")
    private = bob.status("Followers only: a case for the journal club", visibility="private")
    direct = bob.status(f"@{alice_acct} a direct question about anticoagulation", visibility="direct")
    home = eventually(lambda: (h := ids(alice.home())) >= {public["uri"], private["uri"], direct["uri"]} and h)
    assert {public["uri"], private["uri"], direct["uri"]} <= home
    # carol follows nobody: she can find the public post, but not the followers-only or direct ones
    assert find_on(carol, public["uri"]) is not None
    assert find_on(carol, private["uri"]) is None and find_on(carol, direct["uri"]) is None
    assert not ids(carol.home()) & {public["uri"], private["uri"], direct["uri"]}
    on_a = find_on(alice, private["uri"])
    assert on_a["visibility"] == "private" and "journal club" in on_a["content"]
    assert find_on(alice, direct["uri"])["visibility"] == "direct"


def test_federation_replies_likes_boosts_edits_and_deletes_flow(world, following):
    alice, bob = world["alice"], world["bob"]
    original = bob.status("Which beta blocker after MI in COPD?")
    on_a = eventually(lambda: find_on(alice, original["uri"]))
    reply = alice.status(f"@bob@{world['B'].domain} bisoprolol is cardioselective", in_reply_to_id=on_a["id"])
    alice.post(f"/api/v1/statuses/{on_a['id']}/favourite")
    alice.post(f"/api/v1/statuses/{on_a['id']}/reblog")

    def counted():
        mine = bob.get(f"/api/v1/statuses/{original['id']}")
        assert (mine["replies_count"], mine["favourites_count"], mine["reblogs_count"]) == (1, 1, 1)
        return mine
    eventually(counted)
    context = bob.get(f"/api/v1/statuses/{original['id']}/context")
    assert [s["uri"] for s in context["descendants"]] == [reply["uri"]]
    kinds = {n["type"] for n in bob.get("/api/v1/notifications")}
    assert {"mention", "favourite", "reblog", "follow"} <= kinds

    bob.put(f"/api/v1/statuses/{original['id']}", status="Which beta blocker after MI in COPD? (edited)")
    eventually(lambda: "(edited)" in find_on(alice, original["uri"])["content"])
    bob.delete(f"/api/v1/statuses/{original['id']}")
    eventually(lambda: find_on(alice, original["uri"]) is None)


def test_federation_works_the_other_way_too(world, following):
    alice, bob = world["alice"], world["bob"]
    alice_on_b = following["alice_on_b"]
    bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
    eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
    post = alice.status("Posting from A to my followers on B")
    eventually(lambda: post["uri"] in ids(bob.home()))


def test_federation_members_only_posts_never_leave(world, following):
    alice, bob = world["alice"], world["bob"]
    alice_on_b = following["alice_on_b"]
    bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
    eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
    local = alice.status("Members only: our society's internal discussion", visibility="local")
    marker = alice.status("A public post after the members-only one")
    eventually(lambda: marker["uri"] in ids(bob.home()) or None)
    assert local["uri"] not in ids(bob.home())
    fetched = httpx.get(local["uri"], headers={"Accept": "application/activity+json"})
    assert fetched.status_code == 404


def test_federation_unfollow_stops_delivery(world, following):
    alice, bob = world["alice"], world["bob"]
    bob_on_a = following["bob_on_a"]
    alice.post(f"/api/v1/accounts/{bob_on_a['id']}/unfollow")
    eventually(lambda: not bob.get(f"/api/v1/accounts/{bob.get('/api/v1/accounts/verify_credentials')['id']}"
                                   "/followers"))
    after = bob.status("Said after alice unfollowed")
    marker = bob.status(f"@alice@{world['A'].domain} still mentioned directly", visibility="direct")
    eventually(lambda: marker["uri"] in ids(alice.home()) or None)
    assert after["uri"] not in ids(alice.home())
