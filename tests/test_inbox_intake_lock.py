"""The inbox's SQLite writer and SQLite's write lock held by another process (serve's worker)."""
import asyncio
import json
import sqlite3
import threading
import time

import pytest

from server.services.federation.inbox import intake
from server.services.federation.inbox.intake import InboxWriter, QueueUnavailable, Row


def _hold_write_lock(path: str, seconds: float, taken: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    taken.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


async def _add_while_locked(engine, seconds: float) -> None:
    taken = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(engine.url.database, seconds, taken))
    holder.start()
    taken.wait()
    writer = InboxWriter(engine)
    try:
        await writer.add(Row("https://a.example/1", "https://a.example/u", json.dumps({"n": 1})))
    finally:
        await writer.close()
        await asyncio.to_thread(holder.join)


@pytest.fixture
def sqlite_engine(fed_app):
    engine = fed_app.state.runtime.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    return engine


async def test_inbox_writer_waits_for_a_write_lock_held_elsewhere(sqlite_engine):
    await _add_while_locked(sqlite_engine, 0.3)
    with sqlite3.connect(sqlite_engine.url.database) as db:
        assert db.execute("SELECT activity_uri FROM inbox_items").fetchall() == [("https://a.example/1",)]


async def test_inbox_writer_gives_up_when_the_lock_is_held_past_the_busy_timeout(sqlite_engine, monkeypatch):
    monkeypatch.setattr(intake, "SQLITE_BUSY_TIMEOUT_MS", 100)
    with pytest.raises(QueueUnavailable):
        await _add_while_locked(sqlite_engine, 0.6)
