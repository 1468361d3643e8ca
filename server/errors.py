"""Error responses: JSON {"error": ...} for API clients, a short page for browsers, never a traceback."""
from __future__ import annotations

import html

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from moderation.roles import NotAllowed


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(("/api/", "/oauth/", "/.well-known/"))


def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    if _wants_html(request):
        return HTMLResponse(_page(request, status, message), status_code=status, headers=headers)
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _page(request: Request, status: int, message: str) -> str:
    """The theme's error page without touching the database (the error may be the database's)."""
    try:
        settings = request.app.state.settings
        return request.app.state.themes.environment(settings.theme).get_template("error.html").render(
            status_code=status, message=message, site=None, viewer=None, instance_name=settings.instance_name)
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn
        return f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{html.escape(message)}</p>"


async def http_exception(request: Request, exc: HTTPException) -> Response:
    return error_response(request, exc.status_code, exc.detail, getattr(exc, "headers", None))


async def not_allowed(request: Request, exc: NotAllowed) -> Response:
    """A refusal of the roles rule wherever it is raised: a 403 with the reason."""
    return error_response(request, exc.status, exc.message)


HANDLERS = {HTTPException: http_exception, NotAllowed: not_allowed}
