"""Fetching remote ActivityPub objects and WebFinger documents, safely.

Everything a remote server sends is hostile: the address it points us at (see netguard),
its redirects, its size, its content type and its JSON.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote

import anyio
import httpx

from federation.json_input import JsonRefused, parse_document
from federation.netguard import AddressRefused, check_before_connect, make_client
from federation.urls import origin, same_origin  # noqa: F401  (re-exported for callers)
from federation.webfinger import parse_acct

# (method, url, headers, body) -> headers with the HTTP signature added.
Signer = Callable[[str, str, dict[str, str], bytes | None], dict[str, str]]

AP_ACCEPT = (
    'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
)
JRD_ACCEPT = "application/jrd+json, application/json"
AP_TYPES = frozenset({"application/activity+json", "application/ld+json", "application/json"})
JRD_TYPES = frozenset({"application/jrd+json", "application/json"})
DEFAULT_USER_AGENT = "Curbside"


class FetchError(Exception):
    """A remote document we could not or would not fetch; `.reason`, and `.status` if HTTP."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class FetchedMedia(NamedTuple):
    """A fetched media file: the URL it finally came from, its declared type and its bytes."""

    url: str
    media_type: str
    data: bytes


class Fetched(NamedTuple):
    """A fetched JSON object and the URL it finally came from (after redirects)."""

    url: str
    data: dict[str, Any]


def check_scheme(url: str, *, allow_http: bool) -> httpx.URL:
    """Parse `url`; raise FetchError unless it is https (or http when allowed) with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"invalid URL {str(url)[:200]!r}") from None
    allowed = ("https", "http") if allow_http else ("https",)
    if parsed.scheme not in allowed or not parsed.host:
        raise FetchError(f"refusing URL {str(url)[:200]!r}: only {'/'.join(allowed)} allowed")
    return parsed


class Fetcher:
    """Fetches remote JSON objects over a guarded client; use `async with` or `aclose()`."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        sign: Signer | None = None,
        allow_http: bool = False,
        allow_private: bool = False,
        max_bytes: int = 1_000_000,
        timeout: float = 10.0,
        max_redirects: int = 3,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self._owns_client = client is None
        self.client = client or make_client(
            allow_private=allow_private, timeout=timeout, user_agent=user_agent
        )
        self.sign = sign
        self.allow_http = allow_http
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this fetcher created it."""
        if self._owns_client:
            await self.client.aclose()

    async def get_json(self, url: str) -> dict[str, Any]:
        """GET an ActivityPub object or actor; the parsed JSON object. Raises FetchError."""
        return (await self.fetch_json(url)).data

    async def fetch_json(self, url: str) -> Fetched:
        """Like get_json, but also return the final URL, for origin checks after redirects."""
        return await self._fetch(url, AP_ACCEPT, AP_TYPES)

    async def get_media(self, url: str, accepts: Callable[[str], bool], max_bytes: int) -> FetchedMedia:
        """GET a media file whose Content-Type `accepts`, of at most `max_bytes`. Raises FetchError."""
        final, media, body = await self._fetch_raw(url, "image/*, video/*, audio/*", accepts, max_bytes)
        return FetchedMedia(final, media, body)

    async def get_jrd(self, url: str) -> dict[str, Any]:
        """GET a WebFinger JRD document; the parsed JSON object. Raises FetchError."""
        return (await self._fetch(url, JRD_ACCEPT, JRD_TYPES)).data

    async def webfinger(self, acct: str) -> dict[str, Any]:
        """Look up `acct` (see parse_acct) at its domain's WebFinger endpoint.

        Raises WebfingerError for a malformed handle, FetchError for a failed lookup.
        """
        user, domain = parse_acct(acct)
        scheme = "http" if self.allow_http else "https"
        resource = quote(f"acct:{user}@{domain}", safe=":@")
        return await self.get_jrd(f"{scheme}://{domain}/.well-known/webfinger?resource={resource}")

    async def _fetch(self, url: str, accept: str, types: frozenset[str]) -> Fetched:
        final, _media, body = await self._fetch_raw(url, accept, types.__contains__, self.max_bytes)
        return Fetched(final, parse_object(body))

    async def _fetch_raw(self, url: str, accept: str, accepts: Callable[[str], bool],
                         max_bytes: int) -> tuple[str, str, bytes]:
        try:
            with anyio.fail_after(self.timeout):
                return await self._follow(url, accept, accepts, max_bytes)
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout}s fetching {url[:200]}") from None
        except AddressRefused as exc:
            raise FetchError(exc.reason) from None
        except OSError as exc:  # name resolution in check_before_connect
            raise FetchError(f"cannot resolve host of {url[:200]}: {exc}") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout}s fetching {url[:200]}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(f"network error fetching {url[:200]}: {exc}") from None

    def check_hop(self, url: str) -> None:
        """Called before each request (the first and every redirect): subclasses refuse hosts here."""

    async def _follow(self, url: str, accept: str, accepts: Callable[[str], bool],
                      max_bytes: int) -> tuple[str, str, bytes]:
        for _hop in range(self.max_redirects + 1):
            parsed = check_scheme(url, allow_http=self.allow_http)
            url = str(parsed)  # normalised: what we sign is what we send
            self.check_hop(url)
            await check_before_connect(self.client, parsed, allow_private=self.allow_private)
            headers = {"Accept": accept, "User-Agent": self.user_agent}
            if self.sign is not None:
                headers = self.sign("GET", url, headers, None)
            async with self.client.stream(
                "GET", parsed, headers=headers, follow_redirects=False
            ) as response:
                if response.is_redirect:
                    url = str(response.url.join(response.headers["Location"]))
                    continue
                media = _checked_type(response, accepts)
                return url, media, await read_capped(response, max_bytes)
        raise FetchError(f"more than {self.max_redirects} redirects")


def _checked_type(response: httpx.Response, accepts: Callable[[str], bool]) -> str:
    if not response.is_success:
        raise FetchError(f"HTTP {response.status_code}", status=response.status_code)
    media = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if not accepts(media):
        raise FetchError(f"unexpected content type {media[:100]!r}")
    return media


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Read a streamed body, raising FetchError as soon as it exceeds `max_bytes`.

    Counts decoded bytes, so a small gzip bomb is cut off too.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response larger than {max_bytes} bytes")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_object(body: bytes) -> dict[str, Any]:
    """Parse a JSON body that must be an object (federation.json_input's rule); FetchError otherwise."""
    try:
        return parse_document(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise FetchError("response is not valid JSON: not UTF-8") from None
    except JsonRefused as exc:
        raise FetchError(f"response refused: {exc.reason}") from None
