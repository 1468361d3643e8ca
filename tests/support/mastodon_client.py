"""A small synchronous client for the Mastodon API of a test instance, plus `eventually` for federation."""
from __future__ import annotations

import time
from typing import Any, Callable

import httpx


class Client:
    def __init__(self, base_url: str, token: str):
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def _check(self, response: httpx.Response, expect: int) -> Any:
        assert response.status_code == expect, f"{response.request.method} {response.request.url}: " \
                                               f"{response.status_code} {response.text}"
        return response.json()

    def get(self, path: str, expect: int = 200, **params) -> Any:
        return self._check(self.http.get(path, params=params), expect)

    def post(self, path: str, expect: int = 200, **data) -> Any:
        return self._check(self.http.post(path, json=data), expect)

    def put(self, path: str, expect: int = 200, **data) -> Any:
        return self._check(self.http.put(path, json=data), expect)

    def delete(self, path: str, expect: int = 200) -> Any:
        return self._check(self.http.delete(path), expect)

    def media(self, files: dict, timeout: float = 30.0, **data) -> dict:
        """Upload through /api/v2/media (202 while the privacy guard looks) and wait until it is ready (200)."""
        entity = self._check(self.http.post("/api/v2/media", files=files, data=data), 202)
        deadline = time.monotonic() + timeout
        while entity["url"] is None and time.monotonic() < deadline:
            time.sleep(0.1)
            polled = self.http.get(f"/api/v1/media/{entity['id']}")
            entity = self._check(polled, 206 if polled.json()["url"] is None else 200)
        return entity

    def status(self, text: str, **fields) -> dict:
        return self.post("/api/v1/statuses", status=text, **fields)

    def resolve(self, acct: str) -> dict:
        accounts = self.get("/api/v2/search", q=acct, resolve="true", type="accounts")["accounts"]
        assert accounts, f"{acct} not found"
        return accounts[0]

    def home(self) -> list[dict]:
        return self.get("/api/v1/timelines/home", limit=40)


def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Call `check` until it returns something truthy without raising AssertionError; return that."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except AssertionError as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"not within {timeout}s: {last}")
