"""A real instance backed up while it runs and restored on a fresh data directory: a remote instance that followed
its member before goes on trusting its signatures (same keys) and receives what she posts after the restore."""
import httpx
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration


def actor_key(instance: Instance, username: str) -> str:
    document = httpx.get(f"{instance.base_url}/users/{username}", headers={"Accept": "application/activity+json"})
    return document.json()["publicKey"]["publicKeyPem"]


def test_restored_instance_is_still_trusted_by_a_remote_follower(tmp_path):
    a, b, restored = Instance(tmp_path / "a"), Instance(tmp_path / "b"), None
    try:
        a.start()
        b.start()
        alice, bob = a.member("alice"), b.member("bob")
        alice_on_b = bob.resolve(f"alice@{a.domain}")
        bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
        eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
        before = alice.status("Before the backup: journal club on Thursday")
        key = actor_key(a, "alice")
        a.cli("backup", str(tmp_path / "a.tar.gz"))
        a.stop()

        restored = a.moved_to(tmp_path / "restored")
        restored.data_dir.mkdir()
        restored.cli("restore", str(tmp_path / "a.tar.gz"))
        restored.start()
        assert actor_key(restored, "alice") == key
        assert alice.get("/api/v1/accounts/verify_credentials", expect=401)
        alice = Client(restored.base_url, restored.cli("tokens", "create", "alice").stdout.strip())
        assert alice.get(f"/api/v1/statuses/{before['id']}")["content"] == before["content"]
        after = alice.status("After the restore: journal club moved to Friday")
        eventually(lambda: after["uri"] in {s["uri"] for s in bob.home()})
    finally:
        for instance in (a, b, restored):
            if instance is not None:
                instance.stop()
