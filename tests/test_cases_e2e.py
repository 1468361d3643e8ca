"""Two real instances: a member of A opens a case in A's group, a member of B (who joined the group) answers it
from B, the author marks it resolved with that answer accepted, and both instances show it resolved with the right
accepted answer through their client APIs."""
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
CASES = "/api/v1/curbside/cases"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("cases")
    a, b = Instance(root / "a").start(), Instance(root / "b").start()
    try:
        a.cli("groups", "create", "heart", "--title", "Heart failure", "--specialty", "207RC0000X")
        yield {"A": a, "B": b, "bob": b.member("bob"), "alice": a.member("alice")}
    finally:
        a.stop()
        b.stop()


def _on(client: Client, uri: str, path: str = CASES) -> dict | None:
    return next((s for s in client.get(path) if s["uri"] == uri), None)


def test_cases_answered_from_another_instance_and_resolved_on_both(world):
    a, alice, bob = world["A"], world["alice"], world["bob"]
    heart = bob.resolve(f"heart@{a.domain}")
    bob.post(f"/api/v1/curbside/groups/{heart['id']}/join")
    eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": heart["id"]})[0]["following"])
    case = alice.post(CASES, group="heart", title="Resistant hypertension despite four agents",
                      question="Spironolactone or renal denervation?", presentation="BP 168/96 on four agents.",
                      specialties=["207RC0000X"], age_band="60-74", sex="female", deidentified=True)
    assert case["curbside_case"]["state"] == "open"
    there = eventually(lambda: _on(bob, case["uri"]))  # relayed by A's group, kept as a case on B
    assert there["curbside_case"]["title"] == "Resistant hypertension despite four agents"
    assert there["curbside_case"]["age_band"] == "60-74" and there["curbside_case"]["specialties"] == ["207RC0000X"]
    answer = bob.status("Spironolactone first (PATHWAY-2)", in_reply_to_id=there["id"])
    here = eventually(lambda: next((s for s in alice.get(f"/api/v1/statuses/{case['id']}/context")["descendants"]
                                    if s["uri"] == answer["uri"]), None))
    resolved = alice.post(f"{CASES}/{case['id']}/resolve", answer_id=here["id"])
    assert resolved["curbside_case"]["state"] == "resolved"
    assert resolved["curbside_case"]["accepted_answer_id"] == here["id"]
    assert _on(alice, case["uri"], f"{CASES}?state=resolved")["curbside_case"]["accepted_answer_id"] == here["id"]

    def resolved_on_b():
        copy = bob.get(f"/api/v1/statuses/{there['id']}")["curbside_case"]
        return copy if copy["state"] == "resolved" else None
    copy = eventually(resolved_on_b)
    assert copy["accepted_answer_id"] == answer["id"]  # B's own id of its member's answer
    assert _on(bob, case["uri"], f"{CASES}?state=resolved") is not None
    assert "Resolved — answer:" in bob.get(f"/api/v1/statuses/{there['id']}")["content"]
