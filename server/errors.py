"""Error responses: JSON {"error": ...} for API clients, a short page for browsers, never a traceback."""
from __future__ import annotations

import html

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response



def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(("/api/", "/oauth/", "/.well-known/"))


def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    if _wants_html(request):
        page = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{html.escape(message)}</p>"
        return HTMLResponse(page, status_code=status, headers=headers)
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def http_exception(request: Request, exc: HTTPException) -> Response:
    return error_response(request, exc.status_code, exc.detail, getattr(exc, "headers", None))


HANDLERS = {HTTPException: http_exception}
