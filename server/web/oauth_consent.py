"""/oauth/authorize as a web page: a logged-in member sees only the consent (Authorize or Deny); a visitor
logs in on the same form, which also logs them in to the web. A page of the web route table, so that every
POST carries the CSRF token (the rest of the flow is server.api.oauth)."""
from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from starlette.responses import RedirectResponse, Response

from moderation.errors import Kind, ServiceError
from server.errors import retry_headers
from server.services.accounts import oauth
from server.services.accounts.login import check_login
from server.web.forms import refusal
from server.web.page import Web
from server.web.security import csp_with_form_action

FIELDS = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "response_type")
SCOPE_TEXT = {
    "read": "Read everything in your account: posts, timelines, notifications, lists and profile",
    "write": "Post, favourite, boost and bookmark, and change your profile and settings",
    "follow": "Follow and unfollow accounts, block and mute them",
    "push": "Send you push notifications",
    "profile": "See your profile (only who you are)",
    "admin:read": "Read the instance's moderation data",
    "admin:write": "Take moderation actions on the instance",
}
_SOURCE = re.compile(r"^[a-z][a-z0-9+.-]*:(//[A-Za-z0-9.\-\[\]:]+)?$")


def describe(scope: str) -> str:
    """A sentence for the consent page: "read:statuses" reads "Read: statuses"."""
    if scope in SCOPE_TEXT:
        return SCOPE_TEXT[scope]
    top, _, part = scope.rpartition(":")
    return f"{top.replace('admin:', 'Moderation ').capitalize()}: {part.replace('_', ' ')}"


def form_source(redirect_uri: str) -> str | None:
    """The CSP form-action source that lets the consent form's redirect reach the app (Chromium applies
    form-action to redirects): its origin, or its scheme for apps with their own URL scheme."""
    parts = urlsplit(redirect_uri)
    source = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else f"{parts.scheme}:"
    return source if parts.scheme and _SOURCE.match(source) else None


def _params(web: Web) -> dict[str, str]:
    params = {k: v for k, v in web.request.query_params.items() if k in FIELDS}
    if web.form is not None:
        params.update({k: web.value(k) for k in FIELDS if web.value(k)})
    return params


def _page(web: Web, context: dict, status: int = 200, error: str = "") -> Response:
    response = web.render("oauth/authorize.html", status=status, error=error, **context)
    redirect_uri = context["hidden"].get("redirect_uri", oauth.OOB) if context.get("hidden") else oauth.OOB
    source = form_source(redirect_uri) if redirect_uri != oauth.OOB else None
    if source:
        response.headers["content-security-policy"] = csp_with_form_action(source)
    return response


def _back_to_app(redirect_uri: str, query: dict[str, str]) -> Response:
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)


async def authorize(web: Web) -> Response:
    params = _params(web)
    try:
        app = await oauth.find_app(web.db, params.get("client_id"))
        if app is None:
            raise oauth.OAuthError("invalid_client", "unknown client_id")
        if params.get("response_type", "code") != "code":
            raise oauth.OAuthError("unsupported_response_type", "only response_type=code is supported")
        scopes = oauth.check_request(app, params.get("redirect_uri", ""), params.get("scope"))
    except (oauth.OAuthError, ServiceError) as exc:
        return _page(web, {"app_name": "?", "scopes": [], "hidden": {}}, 400, refusal(exc))
    hidden = {k: params[k] for k in FIELDS if params.get(k)}
    context = {"app_name": app.name, "app_website": app.website,
               "scopes": [(s, describe(s)) for s in sorted(scopes)], "hidden": hidden}
    if web.request.method == "GET":
        return _page(web, context)
    redirect_uri, state = params["redirect_uri"], {"state": params["state"]} if params.get("state") else {}
    if web.value("decision") == "deny":
        if redirect_uri == oauth.OOB:
            return web.render("oauth/code.html", app_name=app.name, denied=True)
        return _back_to_app(redirect_uri, {"error": "access_denied",
                                           "error_description": "The member denied the request.", **state})
    account = web.viewer
    if account is None:
        client = web.request.client
        try:
            account = await check_login(web.db, web.value("username"), web.value("password"),
                                        ip=client.host if client else None)
        except ServiceError as exc:
            response = _page(web, {**context, "username": web.value("username")},
                             429 if exc.kind is Kind.RATE_LIMITED else 400, refusal(exc))
            response.headers.update(retry_headers(exc) or {})
            return response
        await web.log_in(account)
    try:
        code = await oauth.issue_code(web.db, app, account, redirect_uri, scopes, params.get("code_challenge"),
                                      params.get("code_challenge_method"))
    except oauth.OAuthError as exc:
        return _page(web, context, 400, refusal(exc))
    await web.db.commit()
    if redirect_uri == oauth.OOB:
        return web.render("oauth/code.html", app_name=app.name, code=code)
    return _back_to_app(redirect_uri, {"code": code, **state})
