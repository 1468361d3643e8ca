"""Mastodon's id-based paging: max_id / since_id / min_id / limit, and the Link header for the next pages."""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.api.mastodon.params import MAX_ID
from server.services.reading.timelines import Page


def _digits(request: Request, name: str, what: str) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()):
        raise HTTPException(422, f"{name} must be {what}")
    return value


def id_param(request: Request, name: str) -> int | None:
    """A paging bound: beyond the largest id it means the largest id."""
    value = _digits(request, name, "an id")
    return None if value is None else min(int(value), MAX_ID) if len(value) <= 20 else MAX_ID


def int_param(request: Request, name: str, default: int, maximum: int, minimum: int = 1) -> int:
    value = _digits(request, name, "a number")
    return default if value is None else max(minimum, min(int(value) if len(value) <= 20 else maximum, maximum))


def read_page(request: Request, default: int = 20, maximum: int = 40) -> Page:
    raw = request.query_params.get("limit")
    try:
        limit = default if raw in (None, "") else int(raw)
    except ValueError:
        raise HTTPException(422, "limit must be a number") from None
    return Page(id_param(request, "max_id"), id_param(request, "since_id"), id_param(request, "min_id"),
                max(1, min(limit, maximum)))


def link_header(request: Request, ids: list[int]) -> dict[str, str]:
    """Link: next (older, max_id) and prev (newer, min_id) pages, as Mastodon sends them."""
    if not ids:
        return {}
    keep = {k: v for k, v in request.query_params.multi_items() if k not in ("max_id", "since_id", "min_id")}
    base = str(request.url.replace(query=""))
    newer, older = max(ids), min(ids)
    return {"Link": f'<{base}?{urlencode({**keep, "max_id": older})}>; rel="next", '
                    f'<{base}?{urlencode({**keep, "min_id": newer})}>; rel="prev"'}
