"""Static files of the active theme (falling back to the default theme's), and `/theme.css`: the admin's
accent colour as CSS variables, so branding needs no file edits and no inline style (empty while the admin
keeps the theme's own colour)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from server.errors import error_response
from server.services.instance import site as site_settings
from server.services.instance.site import contrast


async def static_file(request: Request) -> Response:
    async with request.app.state.sessions() as db:
        site = await site_settings.load(db, request.app.state.settings)
    found = request.app.state.themes.static_file(site.theme, request.path_params["path"])
    if found is None:
        return error_response(request, 404, "Not Found")
    return FileResponse(found, headers={"Cache-Control": "public, max-age=3600"})


def _darker(color: str, factor: float = 0.82) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % (int(r * factor), int(g * factor), int(b * factor))


async def theme_css(request: Request) -> Response:
    async with request.app.state.sessions() as db:
        site = await site_settings.load(db, request.app.state.settings)
    accent = site.accent_color
    if accent is None:  # the theme's stylesheets set their own
        return Response("/* the theme's own accent colour */\n", media_type="text/css",
                        headers={"Cache-Control": "no-cache"})
    on_accent = "#ffffff" if contrast(accent, "#ffffff") >= contrast(accent, "#000000") else "#000000"
    body = f":root {{ --accent: {accent}; --accent-strong: {_darker(accent)}; --on-accent: {on_accent}; }}\n"
    return Response(body, media_type="text/css", headers={"Cache-Control": "no-cache"})


ROUTES = [Route("/theme.css", theme_css), Route("/static/{path:path}", static_file, methods=["GET", "HEAD"])]
