"""/metrics of a real instance of several processes (two web processes, the queue worker `serve` starts): whichever
web process answers the scrape counts what every process did, deliveries sent by the worker among it."""
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.instances import Instance
from tests.support.mastodon_client import eventually

pytestmark = pytest.mark.integration
TOKEN = "scraper-token-0123456789"


def scrape(instance: Instance) -> dict:
    response = httpx.get(f"{instance.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def test_metrics_add_up_every_process_of_the_instance(tmp_path):
    a, b = Instance(tmp_path / "a", env={"CURBSIDE_METRICS_TOKEN": TOKEN}), Instance(tmp_path / "b")
    try:
        a.start(timeout=120, extra_args=("--workers", "2"))
        b.start()
        alice, bob = a.member("alice"), b.member("bob")
        alice_on_b = bob.resolve(f"alice@{a.domain}")
        bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
        eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
        post = alice.status("Morbidity and mortality meeting at eight")
        eventually(lambda: post["uri"] in {s["uri"] for s in bob.home()})
        for _ in range(6):
            alice.get("/api/v1/accounts/verify_credentials")
        key = ("curbside_http_requests_total",
               frozenset({"method": "GET", "route": "/api/v1/accounts/verify_credentials", "status": "200"}.items()))
        delivered = ("curbside_deliveries_total", frozenset({"outcome": "delivered"}.items()))
        for _ in range(4):  # new connections: either web process may answer
            samples = scrape(a)
            assert samples.get(key, 0) >= 6 and samples.get(delivered, 0) >= 1
        # the worker process counted the delivery, a web process answered: files of two processes at least
        assert len({path.stem.rsplit("_", 1)[1] for path in (a.data_dir / "prometheus").glob("*.db")}) >= 2
    finally:
        a.stop()
        b.stop()
