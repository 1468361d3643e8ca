"""`curbside serve --workers N`: N web processes, each with a listening socket of its own on the port, so that
clients connecting at once are spread over all of them (not all accepted by whichever woke first), kept running
and stopped with serve."""
from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.instances import Instance, _children, wait_until

pytestmark = pytest.mark.integration
CONNECTIONS = 16


def _wait(condition, timeout: float = 60.0, what: str = "condition"):
    return wait_until(condition, timeout, what)


def _tree(pid: int) -> list[int]:
    return [pid] + [p for child in _children(pid) for p in _tree(child)]


def _sockets(port: int, state: str) -> set[int]:
    """Inodes of this host's TCP sockets in `state` ("01" established, "0A" listening) whose local port is `port`
    (/proc/net/tcp)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(int(fields[9]))
    return found


def _holders(pids: list[int], inodes: set[int]) -> dict[int, int]:
    """How many of the connections `inodes` each process holds open."""
    held = {}
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except (FileNotFoundError, PermissionError):
            continue
        count = sum(1 for link in links if link.startswith("socket:[") and int(link[8:-1]) in inodes)
        if count:
            held[pid] = count
    return held


def _web_processes(instance: Instance) -> list[int]:
    return [pid for pid in _children(instance.process.pid)
            if b"--web-process-of" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]


def _answered(connection: socket.socket, port: int) -> bool:
    connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
    return connection.recv(4096).startswith(b"HTTP/1.1 200")


@pytest.fixture
def served(tmp_path):
    instance = Instance(tmp_path / "a").start(timeout=120, extra_args=("--workers", "2", "--queue-workers", "0"))
    _wait(lambda: len(_web_processes(instance)) == 2, what="two web processes")
    _wait(lambda: len(_sockets(instance.port, "0A")) == 2, timeout=120, what="both listening, each on its socket")
    _wait(lambda: all(httpx.get(f"{instance.base_url}/healthz", timeout=5).status_code == 200 for _ in range(8)),
          what="both answering")
    time.sleep(1.0)  # both idle: each waiting to accept
    yield instance
    instance.stop()


def test_serve_web_processes_share_clients_connecting_at_once(served):
    connections = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(CONNECTIONS)]
    try:
        assert all(_answered(c, served.port) for c in connections)  # kept alive: each stays with its process
        held = _holders(_tree(served.process.pid), _sockets(served.port, "01"))
        assert sum(held.values()) == CONNECTIONS
        assert len(held) == 2 and min(held.values()) >= 2, f"connections per web process: {held}"
    finally:
        for connection in connections:
            connection.close()


def test_serve_web_process_killed_is_started_again_and_sigterm_stops_them_all(served):
    first, second = _web_processes(served)
    os.kill(first, signal.SIGKILL)
    _wait(lambda: len(set(_web_processes(served)) - {first, second}) == 1, what="a new web process")
    _wait(lambda: httpx.get(f"{served.base_url}/healthz", timeout=5).status_code == 200, what="serving")
    processes = _web_processes(served)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    _wait(lambda: not any(_alive(pid) for pid in processes), timeout=10, what="the web processes to stop")


def test_serve_web_processes_stop_when_serve_is_killed(served):
    processes = _web_processes(served)
    served.kill()
    _wait(lambda: not any(_alive(pid) for pid in processes), timeout=20, what="the orphaned web processes to stop")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_serve_web_processes_refuse_a_port_another_program_listens_on(tmp_path):
    instance = Instance(tmp_path / "b")
    instance.data_dir.mkdir(parents=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", instance.port))
        taken.listen()
        result = instance.cli("serve", "--port", str(instance.port), "--workers", "2", "--queue-workers", "0",
                              check=False)
    assert result.returncode != 0 and f"cannot listen on 127.0.0.1:{instance.port}" in result.stderr
