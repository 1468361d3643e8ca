"""Real `curbside serve` processes on loopback, for integration tests between instances."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.mastodon_client import Client
from tests.support.postgres import free_port

CURBSIDE = [sys.executable, "-m", "server.cli"]
PASSWORD = "correct horse battery"  # of the members made by Instance.member
ROOT = Path(__file__).resolve().parents[2]


class Instance:
    """One instance: its own port, domain localhost:PORT, data directory and (optionally) database URL."""

    def __init__(self, data_dir: Path, *, database_url: str | None = None, env: dict[str, str] | None = None):
        self.port = free_port()
        self.domain = f"localhost:{self.port}"
        self.base_url = f"http://{self.domain}"
        self.data_dir = data_dir
        self.env = {**os.environ, "CURBSIDE_DOMAIN": self.domain, "CURBSIDE_DATA_DIR": str(data_dir),
                    "CURBSIDE_ALLOW_HTTP": "true", "CURBSIDE_ALLOW_PRIVATE_ADDRESSES": "true",
                    "PYTHONPATH": str(ROOT), **(env or {})}
        if database_url:
            self.env["CURBSIDE_DATABASE_URL"] = database_url
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.log = data_dir / "serve.log"

    def sibling(self) -> "Instance":
        """Another `serve` process of this instance (its domain, data directory and database), on its own port."""
        other = Instance(self.data_dir, env=self.env)  # self.env names this instance's domain
        other.domain, other.log = self.domain, self.data_dir / f"serve-{other.port}.log"
        return other

    def moved_to(self, data_dir: Path) -> "Instance":
        """This instance (its domain and port) on another data directory, as a restore on a new host brings it back."""
        other = Instance(data_dir, env={"CURBSIDE_DOMAIN": self.domain})
        other.port, other.domain, other.base_url = self.port, self.domain, self.base_url
        return other

    def cli(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(CURBSIDE + list(args), env=self.env, cwd=ROOT, input=input,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"curbside {' '.join(args)} failed: {result.stderr}")
        return result

    def member(self, username: str, role: str = "member", scopes=("read", "write", "follow")) -> Client:
        """A new account of `role` here (made by the command line) and a Mastodon API client with a token of theirs
        with `scopes`, signed in as a client app signs in (OAuth's password grant): a request, where a second
        command took a second of CPU."""
        self.cli("accounts", "create", username, "--email", f"{username}@example.org", "--role", role,
                 "--password-stdin", input=PASSWORD + "\n")
        scope = " ".join(scopes)
        app = httpx.post(f"{self.base_url}/api/v1/apps", json={"client_name": "tests", "scopes": scope,
                                                               "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}).json()
        token = httpx.post(f"{self.base_url}/oauth/token", data={
            "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "username": username, "password": PASSWORD, "scope": scope})
        assert token.status_code == 200, token.text
        return Client(self.base_url, token.json()["access_token"])

    def start(self, timeout: float = 30, extra_args: tuple[str, ...] = ()) -> "Instance":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log, "ab")
        self.process = subprocess.Popen(CURBSIDE + ["serve", "--port", str(self.port), *extra_args], env=self.env,
                                        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"instance exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"instance did not become healthy: {self.log.read_text()[-2000:]}")

    def start_worker(self, *args: str) -> subprocess.Popen:
        """A separate `curbside worker` process (run the instance with CURBSIDE_INPROCESS_WORKER=false)."""
        log = open(self.data_dir / "worker.log", "ab")
        self.worker = subprocess.Popen(CURBSIDE + ["worker", *args], env=self.env, cwd=ROOT, stdout=log,
                                       stderr=subprocess.STDOUT)
        return self.worker

    def worker_pids(self) -> list[int]:
        """The worker processes `serve` started and supervises (`curbside worker --supervised`); a child that
        ended between the listing and the look at its command line is none of them."""
        return [pid for pid in _children(self.process.pid) if b"--supervised" in _cmdline(pid)]

    def kill_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait()

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up, as in a power cut."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(timeout=15)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition, timeout: float = 30.0, what: str = "condition"):
    """`condition()`'s first truthy value, polled every 0.1 s; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _cmdline(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return []


def _children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc: every thread's children)."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        return [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except FileNotFoundError:
        return []
