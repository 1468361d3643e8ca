"""megalodon (npm), the client library of Whalebird and other apps, under Node against a real instance: its
`detector` reads our NodeInfo and names the API `mastodon` (it failed with "Unknown SNS" before NodeInfo carried
`metadata.upstream`), and the client it then builds logs in with a member's token. Skipped only without Node."""
import shutil
import subprocess

import pytest

from tests.support.instances import Instance

pytestmark = pytest.mark.integration
MEGALODON = "megalodon@10"

DETECT = """
import megalodon, { detector } from 'megalodon'
const generator = typeof megalodon === 'function' ? megalodon : megalodon.default  // its CommonJS build under Node
const [url, token] = process.argv.slice(2)
const sns = await detector(url)
const me = await generator(sns, url, token).verifyAccountCredentials()
console.log(JSON.stringify({ sns, username: me.data.username }))
"""


@pytest.fixture(scope="module")
def megalodon(tmp_path_factory):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed")
    folder = tmp_path_factory.mktemp("megalodon")
    subprocess.run(["npm", "install", "--prefix", str(folder), MEGALODON, "--no-audit", "--no-fund"], check=True,
                   capture_output=True, timeout=300)
    (folder / "detect.mjs").write_text(DETECT)
    return folder / "detect.mjs"


def test_megalodon_detects_mastodon_and_logs_in(megalodon, tmp_path, database_url):
    instance = Instance(tmp_path / "a", database_url=database_url).start()
    try:
        instance.cli("accounts", "create", "alice", "--email", "alice@example.org")
        token = instance.cli("tokens", "create", "alice", "--scopes", "read").stdout.strip()
        run = subprocess.run(["node", str(megalodon), instance.base_url, token], capture_output=True, text=True,
                             timeout=60, cwd=megalodon.parent)
    finally:
        instance.stop()
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == '{"sns":"mastodon","username":"alice"}'
