"""The web UI's one route table: each page says what it needs (anyone, member, moderator, admin)."""
from __future__ import annotations

from server.web import auth_pages, landing
from server.web.page import WebRoute

FORM = ("GET", "POST")

WEB_ROUTES: list[WebRoute] = [
    WebRoute("/", landing.landing),
    WebRoute("/login", auth_pages.login, FORM),
    WebRoute("/logout", auth_pages.logout, ("POST",), need="member"),
]
