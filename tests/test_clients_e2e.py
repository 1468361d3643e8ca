"""Real Mastodon clients against real instances: Mastodon.py (app, password login, a post with a content
warning and a poll, paginated timelines, a remote follow, a reply as a notification, streaming) and the
`toot` command line client (login, post)."""
import os
import queue
import subprocess
import sys
import time

import pytest
from mastodon import Mastodon, MastodonUnauthorizedError, StreamListener

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
PASSWORD = "a long enough password for alice"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("clients")
    a, b = Instance(root / "a").start(), Instance(root / "b").start()
    try:
        a.cli("accounts", "create", "alice", "--email", "alice@example.org", "--password-stdin", input=PASSWORD + "\n")
        b.cli("accounts", "create", "bob", "--email", "bob@example.org")
        bob = Client(b.base_url, b.cli("tokens", "create", "bob").stdout.strip())
        yield {"A": a, "B": b, "bob": bob}
    finally:
        a.stop()
        b.stop()


@pytest.fixture(scope="module")
def alice(world) -> Mastodon:
    base = world["A"].base_url
    client_id, client_secret = Mastodon.create_app("Curbside tests", scopes=["read", "write", "follow"],
                                                   api_base_url=base)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # allow_http: the test instances speak plain http on loopback (Mastodon.py insists on https otherwise)
    api.log_in("alice", PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return api


class Collector(StreamListener):
    def __init__(self):
        self.events: queue.Queue = queue.Queue()

    def on_update(self, status):
        self.events.put(("update", status))

    def on_notification(self, notification):
        self.events.put(("notification", notification))

    def next(self, kind: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while True:
            got, item = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            if got == kind:
                return item


def test_clients_mastodon_py_posts_with_a_content_warning_and_a_poll(alice):
    me = alice.account_verify_credentials()
    assert me.username == "alice"
    poll = alice.make_poll(["Apixaban", "Warfarin"], expires_in=3600)
    status = alice.status_post("Which anticoagulant after TAVI?", spoiler_text="Cardiology", poll=poll)
    assert status.spoiler_text == "Cardiology" and status.sensitive
    assert [o.title for o in status.poll.options] == ["Apixaban", "Warfarin"]
    assert alice.status(status.id).content == status.content


def test_clients_mastodon_py_pages_through_timelines(alice):
    posted = [alice.status_post(f"Case {n} of the week").id for n in range(5)]
    for read in (alice.timeline_home, alice.timeline_public):
        first = read(limit=2)
        second = alice.fetch_next(first)
        third = alice.fetch_next(second)
        ids = [s.id for s in first + second + third]
        assert ids[:5] == list(reversed(posted)), read.__name__
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        newer = alice.fetch_previous(second)
        assert [s.id for s in newer] == [s.id for s in first]


def test_clients_mastodon_py_follows_a_remote_member_and_streams(world, alice):
    found = alice.search_v2(f"bob@{world['B'].domain}", resolve=True, result_type="accounts").accounts
    assert [a.acct for a in found] == [f"bob@{world['B'].domain}"]
    alice.account_follow(found[0].id)
    eventually(lambda: alice.account_relationships(found[0].id)[0].following)

    listener = Collector()
    handle = alice.stream_user(listener, run_async=True, reconnect_async=False)
    try:
        eventually(handle.is_receiving, timeout=10)
        question = alice.status_post(f"@bob@{world['B'].domain} any data on colchicine after MI?")
        assert listener.next("update").id == question.id

        bob = world["bob"]
        on_b = eventually(lambda: bob.get("/api/v2/search", q=question.uri, type="statuses")["statuses"])[0]
        reply = bob.status(f"@alice@{world['A'].domain} COLCOT says yes", in_reply_to_id=on_b["id"])
        streamed = listener.next("notification")
        assert streamed.type == "mention" and streamed.status.uri == reply["uri"]
    finally:
        handle.close()
    mentions = alice.notifications(types=["mention"])
    assert any(n.status.in_reply_to_id == question.id for n in mentions)
    home = alice.timeline_home(limit=5)
    assert reply["uri"] in {s.uri for s in home}


def test_clients_toot_logs_in_and_posts(world, alice, tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}

    def toot(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "toot", *args], env=env, capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"toot {args[0]}: {done.stdout}\n{done.stderr}"
        return done.stdout
    base = world["A"].base_url
    toot("login_cli", "--instance", base, "--email", "alice@example.org", "--password", PASSWORD)
    assert "alice" in toot("whoami")
    out = toot("post", "Posted from the toot command line")
    url = out.strip().rsplit(" ", 1)[-1]
    assert url.startswith(base)
    with pytest.raises(MastodonUnauthorizedError):  # a community is closed to visitors unless its admins open it
        Mastodon(api_base_url=base).timeline_public(limit=5)
    found = alice.timeline_public(limit=5)
    assert any("Posted from the toot command line" in s.content for s in found)


def websocket_messages(base_url: str, target: str, subprotocol: str, count: int, then) -> tuple[str, list[dict]]:
    """A minimal WebSocket client (wsproto over a socket): connect, call `then()`, read `count` messages."""
    import json
    import socket

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, CloseConnection, RejectConnection, Request, TextMessage

    host, port = base_url.split("://")[1].split(":")
    ws = WSConnection(ConnectionType.CLIENT)
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(ws.send(Request(host=f"{host}:{port}", target=target, subprotocols=[subprotocol])))
        accepted, messages, text = None, [], ""
        while len(messages) < count:
            ws.receive_data(sock.recv(65536) or None)
            for event in ws.events():
                assert not isinstance(event, (RejectConnection, CloseConnection)), event
                if isinstance(event, AcceptConnection):
                    accepted = event.subprotocol
                    then()
                elif isinstance(event, TextMessage):
                    text += event.data
                    if event.message_finished:
                        messages.append(json.loads(text))
                        text = ""
        return accepted, messages


def test_clients_websocket_streams_over_a_real_server(world, alice):
    token = alice.access_token
    posted = []
    protocol, messages = websocket_messages(world["A"].base_url, "/api/v1/streaming?stream=public:local", token, 1,
                                            lambda: posted.append(alice.status_post("Over the WebSocket")))
    assert protocol == token
    assert messages[0]["stream"] == ["public:local"] and messages[0]["event"] == "update"
    assert str(posted[0].id) in messages[0]["payload"]
