"""The web UI's request handling: every page is a `WebRoute` whose handler receives a `Web` — the viewer
(from the session cookie), the site's branding, the submitted form — and renders a theme template.

The wrapper enforces what the route needs (a member, a moderator, an admin) and, for every form POST, the
CSRF token: an HMAC of the session token, or for visitors of a random cookie, under the instance's secret
key. A handler cannot forget either: both happen before it is called.

It also holds the web's edge rule for text (federation.json_input's, as the client API's params.py holds it):
a path, query string or form holding NUL or a lone surrogate never reaches a handler (404 for the path,
400 for the rest). Ids in paths and queries are read with server.db.ids.as_id: beyond 64 bits they name
nothing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import quote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from federation.json_input import valid_text
from server import replica
from server.db.models import Account
from server.i18n import choose_locale, gettext, use_locale
from server.runtime import Runtime
from server.services.accounts import web_sessions
from server.services.instance import site as site_settings
from server.services.instance.site import Site

SESSION_COOKIE = "curbside_session"
CSRF_COOKIE = "curbside_csrf"
NEEDS = ("anyone", "member", "moderator", "admin")
_STAFF = {"moderator": ("moderator", "admin"), "admin": ("admin",)}
MAX_FORM_FIELDS = 200


@dataclass
class Web:
    request: Request
    db: AsyncSession
    viewer: Account | None
    site: Site
    session_token: str | None
    form: FormData | None = None
    _csrf_binding: str = ""
    _new_csrf_cookie: str | None = None
    _cookies: list[tuple[str, str | None, int]] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        return self.request.app.state.runtime

    @property
    def settings(self):
        return self.request.app.state.settings

    @property
    def csrf_token(self) -> str:
        return csrf_token(self.settings.secret_key, self._csrf_binding)

    def value(self, name: str, default: str = "") -> str:
        """A text field of the submitted form (files and missing fields give `default`)."""
        raw = self.form.get(name) if self.form is not None else None
        return raw if isinstance(raw, str) else default

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        env = self.request.app.state.themes.environment(self.site.theme)
        body = env.get_template(template).render(
            request=self.request, viewer=self.viewer, site=self.site, csrf_token=self.csrf_token,
            path=self.request.url.path, **context)
        return HTMLResponse(body, status_code=status)

    def redirect(self, url: str) -> Response:
        """After a successful POST: see the result with a GET (303), never resubmit it by reloading."""
        return RedirectResponse(url, status_code=303)

    async def log_in(self, account: Account) -> None:
        """Start a session for `account` (the caller commits); the cookie goes out with the response."""
        await web_sessions.end(self.db, self.session_token)
        token = await web_sessions.start(self.db, account, self.request.headers.get("user-agent", ""))
        self._cookies.append((SESSION_COOKIE, token, int(web_sessions.IDLE_LIMIT.total_seconds())))
        self.session_token, self.viewer, self._csrf_binding = token, account, token

    async def log_out(self) -> None:
        await web_sessions.end(self.db, self.session_token)
        self._cookies.append((SESSION_COOKIE, None, 0))
        self.session_token, self.viewer = None, None

    def _finish(self, response: Response) -> Response:
        secure = self.settings.scheme == "https"
        if self._new_csrf_cookie:
            response.set_cookie(CSRF_COOKIE, self._new_csrf_cookie, httponly=True, secure=secure, samesite="lax")
        for name, value, max_age in self._cookies:
            if value is None:
                response.delete_cookie(name, httponly=True, secure=secure, samesite="lax")
            else:
                response.set_cookie(name, value, max_age=max_age, httponly=True, secure=secure, samesite="lax")
        response.headers.setdefault("Cache-Control", "private, no-store" if self.viewer else "no-cache")
        if self.viewer is None:  # a visitor's page speaks her browser's language
            response.headers.append("Vary", "Accept-Language")
        return response


Handler = Callable[[Web], Awaitable[Response]]


@dataclass(frozen=True)
class WebRoute:
    path: str
    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    need: str = "anyone"
    reads: bool = False  # a page that only reads: visitors' GETs of it may read the replica (server.replica)

    def route(self) -> Route:
        assert self.need in NEEDS, self.need
        return Route(self.path, _wrap(self), methods=list(self.methods))


def csrf_token(secret_key: str, binding: str) -> str:
    digest = hmac.new(secret_key.encode(), b"csrf|" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def safe_next(raw: str | None, default: str = "/home") -> str:
    """A local path to return to after logging in; anything else (another site, //host) gives `default`."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or urlsplit(raw).netloc:
        return default
    return raw


def _same_origin(request: Request) -> bool:
    """A form posted from another site is refused even before the token is looked at."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.rstrip("/") == request.app.state.settings.base_url


def page_locale(request: Request, viewer: Account | None) -> str:
    """The one place a page's language is chosen: the member's, the browser's, the instance's."""
    return choose_locale(viewer.locale if viewer else None, request.headers.get("accept-language"),
                         request.app.state.settings.default_locale)


def error_page(web: Web, status: int, message: str) -> HTMLResponse:
    return web.render("error.html", status=status, status_code=status, message=message)


def _wrap(route: WebRoute) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        settings = request.app.state.settings
        async with _session_for(route, request) as db:
            token = request.cookies.get(SESSION_COOKIE)
            viewer = await web_sessions.find(db, token)
            if viewer is not None:
                await replica.authenticated()  # a live session: a write may follow (read-your-writes)
            site = await site_settings.load(db, settings)
            await db.commit()
            web = Web(request, db, viewer, site, token if viewer else None)
            if viewer is not None:
                web._csrf_binding = token
            else:
                web._csrf_binding = request.cookies.get(CSRF_COOKIE) or ""
                if len(web._csrf_binding) < 20:
                    web._csrf_binding = web._new_csrf_cookie = secrets.token_urlsafe(24)
            with use_locale(page_locale(request, viewer)):
                return web._finish(await _guarded(route, web))

    return endpoint


def _session_for(route: WebRoute, request: Request):
    """A visitor's GET of a page that only reads may be served by the replica; members' pages are not (finding
    their session updates it), nor is any form."""
    visitor = SESSION_COOKIE not in request.cookies and request.method in ("GET", "HEAD")
    runtime = request.app.state.runtime
    return runtime.replica_reads() if route.reads and visitor else runtime.sessions()


def _all_valid(pairs) -> bool:
    return all(valid_text(k) and (not isinstance(v, str) or valid_text(v)) for k, v in pairs)


def _valid_form(form: FormData) -> bool:
    files = (v.filename or "" for v in form.values() if not isinstance(v, str))
    return _all_valid(form.multi_items()) and all(valid_text(name) for name in files)


async def _guarded(route: WebRoute, web: Web) -> Response:
    request = web.request
    if not _all_valid(request.path_params.items()):
        return error_page(web, 404, gettext("There is no such page."))
    if not _all_valid(request.query_params.multi_items()):
        return error_page(web, 400, gettext("The address holds characters that cannot be text (such as %00)."))
    if route.need != "anyone" and web.viewer is None:
        return web.redirect("/login?next=" + quote(safe_next(request.url.path + (
            "?" + request.url.query if request.url.query else ""))))
    if route.need in _STAFF and web.viewer.role not in _STAFF[route.need]:
        return error_page(web, 403, gettext("This page is for the instance's moderators.") if route.need == "moderator"
                          else gettext("This page is for the instance's admins."))
    if request.method not in ("GET", "HEAD"):
        if not _same_origin(request):
            return error_page(web, 403, gettext("This form was sent from another site."))
        web.form = await request.form(max_fields=MAX_FORM_FIELDS)
        if not _valid_form(web.form):
            return error_page(web, 400, gettext("The form holds characters that cannot be text (such as a NUL)."))
        given = web.form.get("csrf_token")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), web.csrf_token.encode()):
            return error_page(web, 403, gettext("This form has expired. Go back, reload the page and send it again."))
    return await route.handler(web)


async def serve_page(request: Request, handler: Handler, need: str = "anyone") -> Response:
    """Answer `request` with a web page from outside the web route table (the HTML side of the
    ActivityPub actor and object URLs): the same viewer, CSRF and needs as every page."""
    return await _wrap(WebRoute(request.url.path, handler, (request.method,), need))(request)
