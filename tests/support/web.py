"""Test helpers for the web UI: read a form's CSRF token, log a member in through the real login form."""
from __future__ import annotations

import re

import httpx

from tests.support.members import PASSWORD, member

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    """The CSRF token of the form on the page at `path` (also setting the visitor's CSRF cookie)."""
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_of(page.text)


async def log_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    response = await client.post("/login", data={"csrf_token": await form_token(client, "/login"),
                                                 "username": username, "password": password})
    return response


async def member_session(app, client: httpx.AsyncClient, username: str, *, role: str = "member") -> None:
    """Create a member of `role` and log `client` in as them."""
    await member(app, username, role=role)
    response = await log_in(client, username)
    assert response.status_code == 303, response.text
