"""A SIGKILLed server loses nothing that was committed."""
import httpx
import pytest

from tests.support.instances import Instance

pytestmark = pytest.mark.integration


def test_durability_sigkill_loses_no_committed_account(tmp_path):
    instance = Instance(tmp_path / "a").start()
    try:
        for i in range(5):
            instance.cli("accounts", "create", f"member{i}", "--email", f"m{i}@example.org")
        instance.kill()
        instance.start()
        listing = instance.cli("accounts", "list").stdout
        assert all(f"member{i}" in listing for i in range(5))
        assert httpx.get(f"{instance.base_url}/healthz").json() == {"status": "ok"}
    finally:
        instance.stop()
