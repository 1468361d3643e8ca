"""Delivering one activity to one inbox, and saying what the caller should do next."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import anyio
import httpx

from federation.fetch import AP_ACCEPT, FetchError, Signer, check_scheme
from federation.netguard import AddressRefused, check_before_connect

ACTIVITY_JSON = "application/activity+json"
# A hostile Retry-After must not park a delivery for years; the caller's backoff still applies.
MAX_RETRY_AFTER = 24 * 3600.0


class Outcome(str, enum.Enum):
    """What the delivery queue should do with this (inbox, activity) pair."""

    DELIVERED = "delivered"  # 2xx: done
    RETRY = "retry"  # network error, timeout, 408, 429, 5xx: try again later
    GONE = "gone"  # 410: the inbox is gone for good
    REJECTED = "rejected"  # other 4xx, redirects, refused address: do not retry


@dataclass(frozen=True)
class DeliveryOutcome:
    """The result of one POST: the outcome, the HTTP status if any, Retry-After in seconds."""

    outcome: Outcome
    status: int | None = None
    retry_after: float | None = None
    reason: str = ""


async def post_activity(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    sign: Signer | None,
    *,
    allow_http: bool = False,
    allow_private: bool = False,
    timeout: float = 10.0,
) -> DeliveryOutcome:
    """POST `body` (serialised activity) to the inbox at `url`, signed by `sign`.

    Never raises for remote failures: every one maps to a DeliveryOutcome. Redirects are
    not followed (a redirected POST would need re-signing and rarely means anything good).
    """
    try:
        parsed = check_scheme(url, allow_http=allow_http)
    except FetchError as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=exc.reason)
    url = str(parsed)
    headers = {"Content-Type": ACTIVITY_JSON, "Accept": AP_ACCEPT}
    if sign is not None:
        headers = sign("POST", url, headers, body)
    try:
        with anyio.fail_after(timeout):
            await check_before_connect(client, parsed, allow_private=allow_private)
            async with client.stream(
                "POST", url, content=body, headers=headers, follow_redirects=False, timeout=timeout
            ) as response:
                return classify(response.status_code, response.headers.get("Retry-After"))
    except AddressRefused as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=exc.reason)
    except (TimeoutError, httpx.TimeoutException):
        return DeliveryOutcome(Outcome.RETRY, reason=f"timed out after {timeout}s")
    except (OSError, httpx.TransportError) as exc:  # OSError: name resolution
        return DeliveryOutcome(Outcome.RETRY, reason=f"network error: {exc}")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return DeliveryOutcome(Outcome.REJECTED, reason=f"unusable request: {exc}")


def classify(status: int, retry_after: str | None = None) -> DeliveryOutcome:
    """Map an inbox's HTTP status (and Retry-After header) to a DeliveryOutcome."""
    if 200 <= status < 300:
        return DeliveryOutcome(Outcome.DELIVERED, status)
    if status == 410:
        return DeliveryOutcome(Outcome.GONE, status, reason="HTTP 410")
    if status in (408, 429) or status >= 500:
        return DeliveryOutcome(
            Outcome.RETRY, status, parse_retry_after(retry_after), reason=f"HTTP {status}"
        )
    return DeliveryOutcome(Outcome.REJECTED, status, reason=f"HTTP {status}")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), capped.

    None when absent or unparseable.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
