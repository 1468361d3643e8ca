"""Deliveries survive a receiving instance going down and a sending worker being killed."""
import calendar
import sqlite3
import time

import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration


def follow(client: Client, acct: str) -> dict:
    target = client.resolve(acct)
    client.post(f"/api/v1/accounts/{target['id']}/follow")
    eventually(lambda: client.get("/api/v1/accounts/relationships", **{"id[]": target["id"]})[0]["following"])
    return target


def deliveries(instance: Instance) -> list[sqlite3.Row]:
    with sqlite3.connect(instance.data_dir / "curbside.db") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM deliveries ORDER BY id").fetchall()


def received(instance: Instance, activity_uri_part: str) -> int:
    with sqlite3.connect(instance.data_dir / "curbside.db") as db:
        return db.execute("SELECT count(*) FROM inbox_items WHERE activity_uri LIKE ?",
                          (f"%{activity_uri_part}%",)).fetchone()[0]


def test_federation_outage_posts_wait_for_a_stopped_instance_and_arrive_once(tmp_path):
    a, b = Instance(tmp_path / "a").start(), Instance(tmp_path / "b").start()
    try:
        alice, bob = a.member("alice"), b.member("bob")
        follow(bob, f"alice@{a.domain}")
        follow(alice, f"bob@{b.domain}")
        b.stop()
        post = alice.status("Posted while B is down")
        failed = eventually(lambda: [d for d in deliveries(a) if d["activity_uri"].startswith(post["uri"])
                                     and d["attempts"] >= 1])
        assert failed[0]["state"] == "queued"
        next_try = calendar.timegm(time.strptime(failed[0]["next_try_at"][:19], "%Y-%m-%d %H:%M:%S"))
        assert next_try - time.time() > 10  # backing off: the first retry waits 16 to 76 seconds
        b.start()
        bob.status("B is back")  # B's delivery to A is the sign of life that brings A's retry forward
        eventually(lambda: post["uri"] in {s["uri"] for s in bob.home()})
        time.sleep(1)
        assert [s["uri"] for s in bob.home()].count(post["uri"]) == 1
        assert received(b, post["uri"]) == 1
        sent = [d for d in deliveries(a) if d["activity_uri"].startswith(post["uri"])]
        assert [(d["state"], d["attempts"]) for d in sent] == [("sent", 1)]  # one failed try, then sent
    finally:
        a.stop()
        b.stop()


def test_federation_outage_killed_worker_loses_no_delivery(tmp_path):
    a = Instance(tmp_path / "a", env={"CURBSIDE_INPROCESS_WORKER": "false"}).start()
    b = Instance(tmp_path / "b").start()
    a.start_worker()
    try:
        alice, bob = a.member("alice"), b.member("bob")
        follow(bob, f"alice@{a.domain}")
        a.kill_worker()
        posts = [alice.status(f"Case {i} of the series") for i in range(40)]
        a.start_worker("--concurrency", "2", "--lease", "6")  # a short lease: the killed worker's claims lapse soon
        eventually(lambda: any(d["state"] == "sent" for d in deliveries(a) if "/statuses/" in d["activity_uri"]),
                   interval=0.01)
        a.kill_worker()
        a.start_worker("--lease", "6")
        uris = [p["uri"] for p in posts]
        eventually(lambda: all(received(b, uri) for uri in uris), timeout=30)
        assert all(received(b, uri) == 1 for uri in uris)

        def home_holds_every_post():  # B's worker files what it received into home timelines in its own time
            assert sorted(s["uri"] for s in bob.get("/api/v1/timelines/home", limit=40)) == sorted(uris)
            return True

        eventually(home_holds_every_post)
    finally:
        a.stop()
        b.stop()
