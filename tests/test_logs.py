"""Log lines: the text format, its time stamp kept per second."""
import logging
import time

from server.logs import TextFormatter


def _record(created: float) -> logging.LogRecord:
    record = logging.LogRecord("curbside.access", logging.INFO, __file__, 1, "%s %d", ("GET /", 200), None)
    record.created, record.msecs, record.request_id = created, (created % 1) * 1000, "abc"
    return record


def test_logs_text_line_has_time_level_name_request_id_and_message():
    created = 1_700_000_000.25
    line = TextFormatter().format(_record(created))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created))
    assert line == f"{stamp},250 INFO curbside.access [abc] GET / 200"


def test_logs_text_time_moves_with_each_second():
    formatter = TextFormatter()
    first, later = formatter.format(_record(1_700_000_000.5)), formatter.format(_record(1_700_000_061.0))
    assert first.split(",")[0] != later.split(",")[0]
    assert later.startswith(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_061)) + ",000")
