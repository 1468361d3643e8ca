"""create_app(settings): the one place where the application is assembled."""
from __future__ import annotations

import contextlib
import gc
import logging
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from server import i18n
from server.ap.inbox import InboxShortcut
from server.errors import HANDLERS
from server.middleware import BodyLimitMiddleware, MetricsMiddleware, RequestIdMiddleware
from server.ratelimit import RateLimiter, RateLimitMiddleware, mastodon_rules
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


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
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
            gc.unfreeze()

    app = Starlette(
        routes=[*routes(), Route("/media/remote/{signature}/{encoded}", remote_media, methods=["GET", "HEAD"]),
                media_route(settings)],
        middleware=[
            Middleware(RequestIdMiddleware),
            *([Middleware(MetricsMiddleware)] if settings.metrics_token else []),
            Middleware(SecurityHeadersMiddleware),
            Middleware(InboxShortcut),  # the busiest endpoint skips the rest (see server.ap.inbox)
            *([Middleware(RateLimitMiddleware, limiter=RateLimiter(mastodon_rules(settings.api_rate_limit)))]
              if settings.api_rate_limit else []),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       upload_max_bytes=settings.max_upload_bytes, upload_prefixes=UPLOAD_PREFIXES),
        ],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.urls = LocalUrls(settings.base_url, settings.secret_key)
    app.state.themes = Themes(settings.data_dir)
    i18n.set_default_locale(settings.default_locale)
    app.state.html_page = ap_page  # the web UI's pages at ActivityPub URLs (server.ap.negotiate)
    return app


def create_app_from_environment() -> Starlette:
    """The app of one `curbside serve --workers N` process: settings from the same environment as the parent's."""
    from server.logs import configure_logging
    from server.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
