"""SIGTERM stops a real `curbside serve` at once, however many clients keep connections open."""
import socket
import subprocess
import time

import pytest

from tests.support.instances import Instance

pytestmark = pytest.mark.integration


def _connect(instance: Instance, request: str) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", instance.port), timeout=5)
    connection.sendall(f"{request}\r\nHost: {instance.domain}\r\n\r\n".encode())
    return connection


def _whole_response(connection: socket.socket) -> bytes:
    """One HTTP response with a Content-Length, read whole (headers and body may come in separate packets)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int(next(value for name, value in fields.items() if name.lower() == b"content-length"))
    while len(body) < length:
        body += connection.recv(4096)
    return head + b"\r\n\r\n" + body


def _stopped_within(instance: Instance, seconds: float) -> float:
    started = time.monotonic()
    instance.process.terminate()
    try:
        instance.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        instance.kill()
        pytest.fail(f"still running {seconds} s after SIGTERM")
    return time.monotonic() - started


def test_stop_signals_sigterm_with_idle_and_streaming_connections_exits_at_once(tmp_path, database_url):
    instance = Instance(tmp_path / "a", database_url=database_url).start()
    try:
        instance.cli("accounts", "create", "bob", "--email", "bob@example.org")
        token = instance.cli("tokens", "create", "bob").stdout.strip()
        idle = _connect(instance, "GET /healthz HTTP/1.1")  # answered, then kept alive
        assert _whole_response(idle).startswith(b"HTTP/1.1 200")
        stream = _connect(instance, f"GET /api/v1/streaming/user HTTP/1.1\r\nAuthorization: Bearer {token}")
        assert stream.recv(4096).startswith(b"HTTP/1.1 200")
        took = _stopped_within(instance, 5.0)  # well under the 10 s graceful timeout, on a busy machine
        assert idle.recv(4096) == b""  # closed by the server
        b"".join(iter(lambda: stream.recv(4096), b""))  # ends (no socket.timeout): the server closed it
    finally:
        instance.stop()
    log = instance.log.read_text()
    assert "ERROR" not in log and "timeout graceful shutdown exceeded" not in log, log[-2000:]
    assert took < 5.0
