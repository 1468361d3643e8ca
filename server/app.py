"""create_app(settings): the one place where the application is assembled."""
from __future__ import annotations

import contextlib
import gc
import logging
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp

from server import i18n
from server.ap.inbox import InboxShortcut
from server.api.mastodon.auth import token_resolves
from server.errors import HANDLERS
from server.middleware import BodyLimitMiddleware, MetricsMiddleware, RequestIdMiddleware
from server.ratelimit import Limiter, RateLimiter, RateLimitMiddleware, mastodon_rules
from server.ratelimit_shared import SharedRateLimiter
from server.replica import ReplicaRouting
from server.runtime import Runtime
from server.services.federation.inbox.intake import close_intake
from server.settings import Settings
from server.stop_signals import on_stop_signal
from server.streaming.hub import StreamHub
from server.urls import LocalUrls
from server.web.health import healthz, readyz
from server.web.media_files import media_route
from server.web.metrics import metrics
from server.web.remote_media import remote_media
from server.web.routes import ap_page
from server.web.security import HEADERS as SECURITY_HEADERS
from server.web.security import SecurityHeadersMiddleware
from server.web.themes import Themes

log = logging.getLogger("curbside")
UPLOAD_PREFIXES = ("/api/v1/media", "/api/v2/media", "/api/v1/accounts/update_credentials", "/settings/",
                   "/api/v1/curbside/verification_requests", "/compose", "/verification", "/admin/settings")


def routes() -> list[Route]:
    from server.ap.routes import ROUTES as activitypub
    from server.api.mastodon.routes import ROUTES as mastodon
    from server.api.oauth import ROUTES as oauth
    from server.web.routes import WEB_ROUTES
    from server.web.static import ROUTES as static

    return [Route("/healthz", healthz, methods=["GET", "HEAD"]), Route("/readyz", readyz, methods=["GET", "HEAD"]),
            Route("/metrics", metrics),
            *activitypub, *oauth, *mastodon, *static,
            *(route.route() for route in WEB_ROUTES)]


def rate_limiter(settings: Settings, web_processes: int) -> Limiter | None:
    """Counters in the database when more than one process may serve a client (PostgreSQL: any number of `serve`
    processes on any hosts; SQLite: `serve --workers N`); in memory for one `serve` on SQLite, where they cost
    nothing. The worker processes `serve` supervises run queues, not requests: they need no share."""
    if not settings.api_rate_limit:
        return None
    rules = mastodon_rules(settings.api_rate_limit)
    return SharedRateLimiter(rules) if not settings.is_sqlite or web_processes > 1 else RateLimiter(rules)


class _App(Starlette):
    """Starlette with the inbox shortcut in front of its middleware stack: the busiest endpoint skips it all
    (server.ap.inbox)."""

    def build_middleware_stack(self) -> ASGIApp:
        return InboxShortcut(super().build_middleware_stack(), answer_headers=SECURITY_HEADERS,
                             metrics=bool(self.state.settings.metrics_token))


def create_app(settings: Settings, *, web_processes: int = 1) -> Starlette:
    limiter = rate_limiter(settings, web_processes)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        if isinstance(limiter, SharedRateLimiter):
            limiter.open(settings.database_url)
        app.state.runtime = runtime
        app.state.engine, app.state.sessions = runtime.engine, runtime.sessions
        app.state.hub = StreamHub(runtime)
        app.state.hub.start()
        # What start-up built (modules, routes, templates, mappers) lives as long as the app: out of the
        # collector's sight, a full collection walks only what requests made (it paused the loop ~60 ms).
        gc.freeze()
        try:
            with on_stop_signal(app.state.hub.end_streams):
                yield
        finally:
            await app.state.hub.stop()
            await close_intake(app.state)
            await runtime.close()
            if isinstance(limiter, SharedRateLimiter):
                await limiter.close()
            gc.unfreeze()

    app = _App(
        routes=[*routes(), Route("/media/remote/{signature}/{encoded}", remote_media, methods=["GET", "HEAD"]),
                media_route(settings)],
        middleware=[
            Middleware(RequestIdMiddleware),
            *([Middleware(MetricsMiddleware)] if settings.metrics_token else []),
            Middleware(SecurityHeadersMiddleware),
            *([Middleware(ReplicaRouting)] if settings.database_replica_url else []),
            *([Middleware(RateLimitMiddleware, limiter=limiter, known_token=token_resolves)] if limiter else []),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       upload_max_bytes=settings.max_upload_bytes, upload_prefixes=UPLOAD_PREFIXES),
        ],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rate_limiter = limiter
    app.state.urls = LocalUrls(settings.base_url, settings.secret_key)
    app.state.themes = Themes(settings.data_dir)
    i18n.set_default_locale(settings.default_locale)
    app.state.html_page = ap_page  # the web UI's pages at ActivityPub URLs (server.ap.negotiate)
    return app


def create_app_from_environment() -> Starlette:
    """The app of one `curbside serve --workers N` process (N > 1): settings from the same environment as the
    parent's."""
    from server.logs import configure_logging
    from server.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings, web_processes=2)  # one of several: only "more than one" matters
