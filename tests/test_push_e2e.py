"""Push between real processes: Mastodon.py subscribes a member of a running `curbside serve`, whose own worker
process pushes a mention to a receiver on loopback, which checks the VAPID signature and decrypts it with the key
Mastodon.py made."""
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from mastodon import Mastodon

from tests.support.instances import Instance
from tests.support.mastodon_client import eventually
from tests.support.push_receiver import Subscriber, receiving_in_thread

pytestmark = pytest.mark.integration


def test_push_e2e_mastodon_py_subscribes_and_the_worker_pushes_a_mention(tmp_path):
    instance = Instance(tmp_path / "a").start()
    try:
        alice = instance.member("alice")
        instance.cli("accounts", "create", "bob", "--email", "bob@example.org")
        token = instance.cli("tokens", "create", "bob", "--scopes", "read", "write", "push").stdout.strip()
        bob = Mastodon(access_token=token, api_base_url=instance.base_url)
        server_key = bob.instance_v2()["configuration"]["vapid"]["public_key"]
        private, public = bob.push_subscription_generate_keys()
        with receiving_in_thread(server_key) as receiver:
            key = ec.derive_private_key(private["privkey"], ec.SECP256R1())
            device = Subscriber(receiver.origin + "/push/bob", key, private["auth"])
            receiver.subscribers["/push/bob"] = device
            subscription = bob.push_subscription_set(device.endpoint, public, mention_events=True,
                                                     follow_events=False, policy="followed")
            assert subscription["server_key"] == server_key and subscription["alerts"]["mention"] is True
            assert subscription["policy"] == "followed"  # sent beside `data` by Mastodon.py, and taken
            bob.account_follow(bob.account_lookup("alice"))

            alice.status("@bob the journal club moved to Thursday")
            eventually(lambda: receiver.received, timeout=30)
        assert receiver.refused == []
        [push] = receiver.received
        assert push.payload["notification_type"] == "mention" and push.payload["access_token"] == token
        assert push.payload["body"] == "@bob the journal club moved to Thursday"
        assert str(push.payload["notification_id"]) == str(bob.notifications(types=["mention"])[0]["id"])
    finally:
        instance.stop()
