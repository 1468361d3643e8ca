"""The in-process app under test and an HTTP client for it: one way to start each, for every fixture."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

import httpx
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app of `settings` with its lifespan entered (database, caches, runtime), left on exit."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def client_of(app: Starlette, *, raise_app_exceptions: bool = False) -> httpx.AsyncClient:
    """A client speaking to `app` in process at its own base URL; a server error comes back as a 500."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url=app.state.settings.base_url)
