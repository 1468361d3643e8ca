"""Error responses: JSON {"error": ...} for API clients, a short page for browsers, never a traceback."""
from __future__ import annotations

import html

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from moderation.errors import Kind, ServiceError
from server.i18n import N_, best_of_header, filled, use_locale

STATUS = {Kind.INVALID: 422, Kind.NOT_FOUND: 404, Kind.FORBIDDEN: 403, Kind.CONFLICT: 409, Kind.RATE_LIMITED: 429,
          Kind.EXPIRED: 400}


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(("/api/", "/oauth/", "/.well-known/"))


def error_response(request: Request, status: int, message: str, headers: dict | None = None,
                   values: dict | None = None) -> Response:
    """`message` (with `values`: a %-format msgid they fill) as JSON, or as a page in the browser's language."""
    if _wants_html(request):
        return HTMLResponse(_page(request, status, message, values or {}), status_code=status, headers=headers)
    return JSONResponse({"error": message % values if values else message}, status_code=status, headers=headers)


# Starlette's own details, as the error page shows them (in the browser's language).
ROUTING_DETAILS = (N_("Not Found"), N_("Method Not Allowed"))


def _page(request: Request, status: int, message: str, values: dict) -> str:
    """The theme's error page without touching the database (the error may be the database's)."""
    try:
        settings = request.app.state.settings
        # No member is known here (no database): the browser's language, else the instance's.
        locale = best_of_header(request.headers.get("accept-language")) or settings.default_locale
        with use_locale(locale):
            return request.app.state.themes.environment(settings.theme).get_template("error.html").render(
                status_code=status, message=filled(message, values), site=None, viewer=None,
                instance_name=settings.instance_name)
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn
        shown = message % values if values else message
        return f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{html.escape(shown)}</p>"


async def http_exception(request: Request, exc: HTTPException) -> Response:
    return error_response(request, exc.status_code, exc.detail, getattr(exc, "headers", None))


def status_of(exc: ServiceError) -> int:
    return STATUS[exc.kind]


def retry_headers(exc: ServiceError) -> dict | None:
    retry_after = exc.details.get("retry_after")
    return None if retry_after is None else {"Retry-After": str(retry_after)}


async def service_error(request: Request, exc: ServiceError) -> Response:
    """A service's refusal wherever it is raised (client API, web pages, ActivityPub): its kind's status, its
    message."""
    return error_response(request, status_of(exc), exc.msgid, retry_headers(exc), exc.values)


HANDLERS = {HTTPException: http_exception, ServiceError: service_error}
