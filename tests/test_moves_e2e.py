"""Three real instances: a member moves from A to B. Her followers on A, B and C follow her new account, her
old profile on A points to B, and the Mastodon CSV export of her follows is imported on B (its follow accepted
on C)."""
import re

import httpx
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
PASSWORD = "a long enough password"


def web_session(instance: Instance, username: str) -> httpx.Client:
    """A browser logged in as `username` (whose password is PASSWORD) on `instance`."""
    browser = httpx.Client(base_url=instance.base_url, timeout=30)
    answer = browser.post("/login", data={"csrf_token": csrf(browser, "/login"), "username": username,
                                          "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return browser


def csrf(browser: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(path).text).group(1)


def follows(client: Client, account_id: str) -> bool:
    return client.get("/api/v1/accounts/relationships", **{"id[]": account_id})[0]["following"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("moves")
    instances = [Instance(root / name).start() for name in ("a", "b", "c")]
    try:
        yield instances
    finally:
        for instance in instances:
            instance.stop()


def test_moving_from_a_to_b_takes_her_followers_along_and_imports_her_follows(world):
    a, b, c = world
    maria, ann, bob = a.member("maria"), a.member("ann"), b.member("bob")
    cecil = c.member("cecil")
    b.cli("accounts", "create", "maria2", "--email", "maria2@example.org", "--password-stdin", input=PASSWORD + "\n")
    maria2 = Client(b.base_url, b.cli("tokens", "create", "maria2").stdout.strip())
    old_acct, new_acct = f"maria@{a.domain}", f"maria2@{b.domain}"
    for follower, acct in ((ann, "maria"), (bob, old_acct), (cecil, old_acct)):
        target = follower.resolve(acct)
        follower.post(f"/api/v1/accounts/{target['id']}/follow")
        eventually(lambda: follows(follower, target["id"]))
    maria.status("Last post from A")

    browser = web_session(b, "maria2")  # on B she lists her old account as hers, then moves from A
    added = browser.post("/settings/aliases", data={"csrf_token": csrf(browser, "/settings/aliases"), "acct": old_acct})
    assert added.status_code == 303, added.text
    assert "moved to" in a.cli("accounts", "move", "maria", new_acct).stdout

    me = maria2.get("/api/v1/accounts/verify_credentials")
    eventually(lambda: {f["acct"] for f in maria2.get(f"/api/v1/accounts/{me['id']}/followers")} == {
        f"ann@{a.domain}", "bob", f"cecil@{c.domain}"})
    old_on_a = ann.get("/api/v1/accounts/lookup", acct="maria")
    assert old_on_a["moved"]["acct"] == new_acct
    profile = httpx.get(f"{a.base_url}/@maria").text
    assert "has moved to" in profile and f"{b.base_url}/@maria2" in profile
    maria.post("/api/v1/statuses", expect=422, status="Still on A?")

    export = f"Account address,Show boosts,Notify on new posts,Languages\ncecil@{c.domain},true,false,\n"
    sent = browser.post("/settings/import", data={"csrf_token": csrf(browser, "/settings/import"),
                                                  "kind": "following", "mode": "merge"},
                        files={"data": ("following_accounts.csv", export, "text/csv")})
    assert sent.status_code == 303, sent.text
    cecil_on_b = maria2.resolve(f"cecil@{c.domain}")
    eventually(lambda: follows(maria2, cecil_on_b["id"]))  # accepted by C
    assert "1 of 1 rows, done" in browser.get("/settings/import").text
