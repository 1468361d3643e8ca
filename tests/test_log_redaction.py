"""Bearer tokens and OAuth codes never reach the logs: a WebSocket stream opened with `?access_token=`
(uvicorn logs its path and query when it accepts it) and requests with a token in the query string leave
the secret out of every line of a real server's log."""
import logging

import httpx
import pytest

from server.logs import RedactTokens, redact
from tests.support.instances import Instance
from tests.test_clients_e2e import websocket_messages


@pytest.mark.parametrize("line, secret", [
    ('127.0.0.1:5 - "WebSocket /api/v1/streaming?stream=user&access_token=s3cr3t-Tok_en" [accepted]', "s3cr3t-Tok_en"),
    ("GET /oauth/authorize?client_id=x&code=c0de123&state=y", "c0de123"),
    ("POST /oauth/revoke?token=t0ken9", "t0ken9"),
    ("GET /api/v1/streaming?ACCESS_TOKEN=upper%20case", "upper%20case"),
])
def test_log_redaction_removes_tokens_and_codes_from_query_strings(line, secret):
    redacted = redact(line)
    assert secret not in redacted and "[redacted]" in redacted
    assert redacted.split("?")[0] == line.split("?")[0]


def test_log_redaction_keeps_other_parameters():
    line = "GET /api/v1/timelines/public?local=true&max_id=5&tokens=2"
    assert redact(line) == line


@pytest.mark.integration
def test_log_redaction_a_real_stream_and_request_leave_no_token_in_the_log(tmp_path):
    instance = Instance(tmp_path / "a", env={"CURBSIDE_LOG_LEVEL": "DEBUG"}).start()
    try:
        instance.cli("accounts", "create", "alice", "--email", "alice@example.org")
        token = instance.cli("tokens", "create", "alice").stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}

        def post() -> None:
            httpx.post(f"{instance.base_url}/api/v1/statuses", json={"status": "hello"}, headers=auth, timeout=20)

        websocket_messages(instance.base_url, f"/api/v1/streaming?stream=user&access_token={token}", "x", 1, post)
        httpx.get(f"{instance.base_url}/api/v1/timelines/home?access_token={token}", timeout=20)
        httpx.get(f"{instance.base_url}/oauth/authorize?response_type=code&client_id=x&code={token}", timeout=20)
    finally:
        instance.stop()
    log = instance.log.read_text()
    assert "WebSocket /api/v1/streaming?stream=user&access_token=[redacted]" in log, log[-3000:]
    assert token not in log


def test_log_redaction_filter_rewrites_a_records_message_and_arguments():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:1", "/api/v1/streaming?access_token=abc123"), None)
    assert RedactTokens().filter(record) and "abc123" not in record.getMessage()
    assert record.getMessage() == '127.0.0.1:1 - "WebSocket /api/v1/streaming?access_token=[redacted]" [accepted]'


def test_log_redaction_formats_each_message_once():
    class Counted:
        calls = 0

        def __str__(self) -> str:
            Counted.calls += 1
            return "value"

    handler = logging.StreamHandler(open("/dev/null", "w"))
    handler.addFilter(RedactTokens())
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.handle(logging.LogRecord("x", logging.INFO, __file__, 1, "a %s", (Counted(),), None))
    handler.stream.close()
    assert Counted.calls == 1
