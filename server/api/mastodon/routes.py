"""The Mastodon client API route table: one module per resource, every route listed here."""
from starlette.routing import Route

from server.api.mastodon import apps

ROUTES = [
    Route("/api/v1/apps", apps.create_app, methods=["POST"]),
    Route("/api/v1/apps/verify_credentials", apps.verify_app),
]
