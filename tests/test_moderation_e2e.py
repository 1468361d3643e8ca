"""Three real instances on loopback. C publishes a blocklist naming B; A subscribes to it and stops
exchanging anything with B; C retracts B and A resumes; a local exception on A beats the list; a
report filed on A reaches B as an anonymous Flag and B's moderator acts on it; B in allowlist mode
federates only with the domains it lists."""
import time

import httpx
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
ADMIN = ["read", "write", "follow", "admin:read", "admin:write"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("moderation")
    a, b, c = (Instance(root / n).start() for n in "abc")
    try:
        yield {"A": a, "B": b, "C": c, "alice": a.member("alice"), "bob": b.member("bob"),
               "carl": c.member("carl"), "bmod": b.member("bmod", "moderator", ADMIN)}
    finally:
        for instance in (a, b, c):
            instance.stop()


def uris(statuses: list[dict]) -> set[str]:
    return {s["uri"] for s in statuses}


def find_on(client: Client, uri: str) -> dict | None:
    found = client.get("/api/v2/search", q=uri, type="statuses")["statuses"]
    return found[0] if found else None


def follow(client: Client, acct: str) -> dict:
    account = client.resolve(acct)
    client.post(f"/api/v1/accounts/{account['id']}/follow")
    eventually(lambda: client.get("/api/v1/accounts/relationships", **{"id[]": account["id"]})[0]["following"])
    return account


def mentioned(client: Client, text: str) -> bool:
    return any(text in (n.get("status") or {}).get("content", "") for n in client.get("/api/v1/notifications"))


def refresh(instance: Instance) -> str:
    result = instance.cli("blocklists", "refresh")
    time.sleep(2.5)  # the serving process looks at the policy version every 2 s
    return result.stdout


def inbox_status(instance: Instance, actor_domain: str) -> int:
    """An unsigned Create claiming an actor of `actor_domain`: 403 if the domain is refused, else 401."""
    actor = f"http://{actor_domain}/users/x"
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/statuses/1/activity",
                "type": "Create", "actor": actor,
                "object": {"id": f"{actor}/statuses/1", "type": "Note", "attributedTo": actor, "content": "hi"}}
    return httpx.post(f"{instance.base_url}/inbox", json=activity).status_code


def test_a_subscribed_list_cuts_b_off_until_it_is_retracted_and_a_local_exception_wins(world):
    a, b, c, alice, bob, carl = (world[k] for k in ("A", "B", "C", "alice", "bob", "carl"))
    follow(alice, f"bob@{b.domain}")
    before = bob.status("Before the block: grand rounds at noon")
    eventually(lambda: before["uri"] in uris(alice.home()))

    c.cli("blocklists", "publish", "everyone")
    c.cli("domains", "block", b.domain, "--public-comment", "harassment")
    a.cli("blocklists", "subscribe", f"{c.base_url}/api/v1/instance/domain_blocks", "--priority", "5")
    assert ": ok: " in refresh(a)

    assert inbox_status(a, b.domain) == 403 and inbox_status(a, c.domain) == 401
    assert find_on(alice, before["uri"]) is None  # purged and hidden
    assert alice.get("/api/v2/search", q=f"bob@{b.domain}", resolve="true", type="accounts")["accounts"] == []
    bob.status(f"@alice@{a.domain} are you there?", visibility="direct")
    alice.status(f"@bob@{b.domain} and @carl@{c.domain}: journal club moved to Friday")
    eventually(lambda: mentioned(carl, "journal club moved"))
    carl.status(f"@alice@{a.domain} marker after bob's message", visibility="direct")
    eventually(lambda: mentioned(alice, "marker after"))
    time.sleep(1)
    assert not mentioned(alice, "are you there") and not mentioned(bob, "journal club moved")

    c.cli("domains", "remove", b.domain)
    assert ": ok: " in refresh(a)
    assert inbox_status(a, b.domain) == 401
    follow(alice, f"bob@{b.domain}")
    after = bob.status("After the retraction: welcome back")
    eventually(lambda: after["uri"] in uris(alice.home()))

    c.cli("domains", "block", b.domain)
    a.cli("domains", "allow", b.domain)
    assert ": ok: " in refresh(a)
    listing = a.cli("domains", "list").stdout
    assert f"{b.domain}" in listing and "allow" in listing and c.base_url in listing
    exception = bob.status("The local exception keeps us talking")
    eventually(lambda: exception["uri"] in uris(alice.home()))
    assert inbox_status(a, b.domain) == 401


def test_a_report_reaches_b_as_an_anonymous_flag_and_b_moderates_it(world):
    a, b, alice, bob, bmod = (world[k] for k in ("A", "B", "alice", "bob", "bmod"))
    a.cli("domains", "allow", b.domain)  # whatever the first test left, A talks to B
    time.sleep(2.5)
    bob_on_a = follow(alice, f"bob@{b.domain}")
    post = bob.status("Patient Jane Roe, MRN 4451234, room 12", phi_confirmed=True)
    on_a = eventually(lambda: find_on(alice, post["uri"]))
    filed = alice.post("/api/v1/reports", account_id=bob_on_a["id"], status_ids=[on_a["id"]], forward=True,
                       comment="identifies a patient", category="patient_privacy")
    assert filed["forwarded"] is True and filed["curbside_category"] == "patient_privacy"

    report = eventually(lambda: bmod.get("/api/v1/admin/reports"))[0]
    assert report["origin"] == "remote" and report["comment"] == "identifies a patient"
    assert report["target_account"]["username"] == "bob" and report["status_uris"] == [post["uri"]]
    assert report["account"]["account"]["uri"] == f"{a.base_url}/actor"
    assert "alice" not in str(report)
    bmod.post(f"/api/v1/admin/reports/{report['id']}/action", type="delete_post", text="PHI in a public post")
    audit = b.cli("audit").stdout
    assert "report.delete_post" in audit and f"bmod@{b.domain}" in audit and "PHI in a public post" in audit
    eventually(lambda: find_on(alice, post["uri"]) is None)  # the Delete federated to A
    notices = bob.get("/api/v1/moderation_warnings")
    assert [(n["action"], n["text"]) for n in notices] == [("delete_post", "PHI in a public post")]


def test_allowlist_mode_federates_only_with_listed_domains(world):
    a, b, c, alice, bob, carl = (world[k] for k in ("A", "B", "C", "alice", "bob", "carl"))
    b.cli("domains", "allow", a.domain)
    b.cli("domains", "mode", "allowlist")
    time.sleep(2.5)
    assert inbox_status(b, c.domain) == 403 and inbox_status(b, a.domain) == 401
    assert bob.get("/api/v2/search", q=f"carl@{c.domain}", resolve="true", type="accounts")["accounts"] == []
    bob.status(f"@carl@{c.domain} @alice@{a.domain} allowlist check", visibility="direct")
    eventually(lambda: mentioned(alice, "allowlist check"))
    time.sleep(1)
    assert not mentioned(carl, "allowlist check")
