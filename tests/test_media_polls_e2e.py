"""Two real instances: an image posted on A reaches B as an attachment, its EXIF and GPS gone; a member of B
votes in a poll of A, the vote is counted on A, and when the poll ends its results reach B."""
import io
import sqlite3

import httpx
import pytest
from PIL import Image

from tests.support.images import camera_jpeg, leaks
from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually

pytestmark = pytest.mark.integration
PAST = "2000-01-01 00:00:00.000000"


def end_polls_now(instance: Instance) -> None:
    """Time passes: every poll on the instance ends (its worker notices within seconds)."""
    with sqlite3.connect(instance.data_dir / "curbside.db", timeout=10) as db:
        db.execute("UPDATE poll_deadlines SET expires_at = ?", (PAST,))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("media-polls")
    a, b = Instance(root / "a").start(), Instance(root / "b").start()
    try:
        alice, bob = a.member("alice"), b.member("bob")
        alice_on_b = bob.resolve(f"alice@{a.domain}")
        bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
        eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
        yield {"A": a, "B": b, "alice": alice, "bob": bob}
    finally:
        a.stop()
        b.stop()


def arrived(client: Client, uri: str) -> dict | None:
    return next((s for s in client.home() if s["uri"] == uri), None)


def test_media_federates_as_a_clean_attachment(world):
    alice, bob = world["alice"], world["bob"]
    photo = camera_jpeg(1600, 1200, orientation=1)
    assert "EXIF tags" in leaks(photo)
    media = alice.media({"file": ("IMG_0001.jpg", photo, "image/jpeg")}, description="Erythema migrans, day 5",
                        focus="0.2,-0.1")
    assert media["curbside"]["phi_status"] == "clean"
    status = alice.status("Bull's-eye rash after a tick bite", media_ids=[media["id"]])
    on_b = eventually(lambda: arrived(bob, status["uri"]))
    [attachment] = on_b["media_attachments"]
    # B links its own copy (fetched from A on first view, server.services.federation.remote_media), A's in remote_url
    assert attachment["type"] == "image" and attachment["url"].startswith(world["B"].base_url + "/media/remote/")
    assert attachment["remote_url"] == media["url"] and attachment["description"] == "Erythema migrans, day 5"
    assert attachment["blurhash"] == media["blurhash"]
    assert (attachment["meta"]["original"]["size"] == "1600x1200"
            and attachment["meta"]["focus"] == {"x": 0.2, "y": -0.1})
    served = httpx.get(attachment["url"])
    assert served.status_code == 200 and leaks(served.content) == []
    assert Image.open(io.BytesIO(served.content)).size == (1600, 1200)  # A's file, re-encoded by B
    assert Image.open(io.BytesIO(served.content)).getexif().get_ifd(0x8825) == {}


def test_poll_votes_cross_instances_and_results_come_back(world):
    alice, bob = world["alice"], world["bob"]
    status = alice.status("First-line for uncomplicated cystitis?",
                          poll={"options": ["nitrofurantoin", "fosfomycin", "TMP-SMX"], "expires_in": 3600})
    on_b = eventually(lambda: arrived(bob, status["uri"]))
    assert [o["title"] for o in on_b["poll"]["options"]] == ["nitrofurantoin", "fosfomycin", "TMP-SMX"]
    voted = bob.post(f"/api/v1/polls/{on_b['poll']['id']}/votes", choices=[1])
    assert voted["own_votes"] == [1] and voted["options"][1]["votes_count"] == 1

    def counted_on_a():
        poll = alice.get(f"/api/v1/polls/{status['id']}")
        assert [o["votes_count"] for o in poll["options"]] == [0, 1, 0] and poll["voters_count"] == 1
        return poll
    eventually(counted_on_a)
    assert bob.post(f"/api/v1/polls/{on_b['poll']['id']}/votes", expect=422, choices=[0])["error"]

    end_polls_now(world["A"])
    end_polls_now(world["B"])

    def closed_on_b():
        poll = bob.get(f"/api/v1/polls/{on_b['poll']['id']}")
        assert poll["expired"] and [o["votes_count"] for o in poll["options"]] == [0, 1, 0]
        assert poll["voters_count"] == 1 and poll["own_votes"] == [1]
        return poll
    eventually(closed_on_b)
    assert alice.get(f"/api/v1/polls/{status['id']}")["expired"]
    for client, status_uri in ((alice, status["uri"]), (bob, status["uri"])):
        eventually(lambda: [n for n in client.get("/api/v1/notifications", **{"types[]": "poll"})
                            if n["status"]["uri"] == status_uri])
