"""Mastodon's id-based paging: max_id / since_id / min_id / limit, and the Link header for the next pages."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_ID = 2**63 - 1  # ids are signed 64-bit: a larger bound means the same and must not reach the database


@dataclass(frozen=True)
class Page:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int

    @property
    def ascending(self) -> bool:
        """min_id asks for the page just after min_id (oldest first, then reversed for the response)."""
        return self.min_id is not None and self.max_id is None

    def apply(self, query, column):
        if self.max_id is not None:
            query = query.where(column < self.max_id)
        if self.since_id is not None:
            query = query.where(column > self.since_id)
        if self.min_id is not None:
            query = query.where(column > self.min_id)
        return query.order_by(column.asc() if self.ascending else column.desc()).limit(self.limit)

    def arrange(self, rows: list) -> list:
        return list(reversed(rows)) if self.ascending else rows


def _id(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise HTTPException(422, f"{name} must be an id")
    return min(int(value), MAX_ID)


def int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise HTTPException(422, f"{name} must be a number")
    return max(1, min(int(raw), maximum))


def read_page(request: Request, default: int = 20, maximum: int = 40) -> Page:
    raw = request.query_params.get("limit")
    try:
        limit = default if raw in (None, "") else int(raw)
    except ValueError:
        raise HTTPException(422, "limit must be a number") from None
    return Page(_id(request, "max_id"), _id(request, "since_id"), _id(request, "min_id"), max(1, min(limit, maximum)))


def link_header(request: Request, ids: list[int]) -> dict[str, str]:
    """Link: next (older, max_id) and prev (newer, min_id) pages, as Mastodon sends them."""
    if not ids:
        return {}
    keep = {k: v for k, v in request.query_params.multi_items() if k not in ("max_id", "since_id", "min_id")}
    base = str(request.url.replace(query=""))
    newer, older = max(ids), min(ids)
    return {"Link": f'<{base}?{urlencode({**keep, "max_id": older})}>; rel="next", '
                    f'<{base}?{urlencode({**keep, "min_id": newer})}>; rel="prev"'}
