"""Fetching a subscribed list: a conditional GET (ETag / If-Modified-Since) through the guarded
client, https only unless allow_http, signed as the instance actor (lists published to
"trusted peers" only answer signed requests), capped in size and time."""
from __future__ import annotations

from dataclasses import dataclass

import anyio
import httpx

from federation.fetch import FetchError, Signer, check_scheme, read_capped
from federation.netguard import AddressRefused, check_before_connect

MAX_LIST_BYTES = 20_000_000
TIMEOUT = 30.0
ACCEPT = "application/json, text/csv, text/plain;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class ListDocument:
    """A fetched list; `body` None when the server answered 304 Not Modified."""

    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str


async def fetch_list(client: httpx.AsyncClient, url: str, *, etag: str | None, last_modified: str | None,
                     sign: Signer | None, allow_http: bool, allow_private: bool,
                     max_bytes: int = MAX_LIST_BYTES, timeout: float = TIMEOUT) -> ListDocument:
    """GET `url` conditionally; raises FetchError (with the reason) for anything but 200 or 304.

    Redirects are not followed: a list's address is what the admin subscribed to."""
    parsed = check_scheme(url, allow_http=allow_http)
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if sign is not None:
        headers = sign("GET", str(parsed), headers, None)
    try:
        with anyio.fail_after(timeout):
            await check_before_connect(client, parsed, allow_private=allow_private)
            async with client.stream("GET", parsed, headers=headers, follow_redirects=False) as response:
                kind = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
                if response.status_code == 304:
                    return ListDocument(None, etag, last_modified, kind)
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code}", status=response.status_code)
                body = await read_capped(response, max_bytes)
                return ListDocument(body, response.headers.get("ETag"), response.headers.get("Last-Modified"), kind)
    except AddressRefused as exc:
        raise FetchError(exc.reason) from None
    except (TimeoutError, httpx.TimeoutException):
        raise FetchError(f"timed out after {timeout}s") from None
    except OSError as exc:
        raise FetchError(f"cannot resolve host: {exc}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"network error: {exc}") from None


def format_hint(content_type: str, url: str) -> str | None:
    """The list format its content type or address suggests; None to detect it from the text."""
    path = url.split("?", 1)[0].lower()
    if content_type in ("text/csv", "application/csv") or path.endswith(".csv"):
        return "csv"
    if content_type == "application/json" or path.endswith(".json"):
        return "json"
    return None
