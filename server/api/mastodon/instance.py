"""/api/v1/instance, /api/v2/instance, peers, rules, custom emojis, languages, privacy policy."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import distinct, func, select
from starlette.requests import Request
from starlette.responses import JSONResponse

from federation.text import render_post
from server.convert.actor_to_mastodon import iso
from server.db.models import Actor, Post
from server.services.instance import privacy_policy as policy
from server.services.instance import site as site_settings
from server.services.instance.settings import registration_mode
from server.services.instance.site import MASTODON_COMPAT
from server.services.moderation.policies import policies_for
from server.services.posts.authoring import MAX_CHARS, MAX_POLL_OPTION_CHARS, MAX_POLL_OPTIONS
from server.services.posts.languages import LANGUAGES
from server.services.push.subscriptions import server_key
from server.services.social.account_publicity import public_members
from server.services.social.featured_tags import MAX_FEATURED_TAGS


def software_version() -> str:
    try:
        return version("curbside")
    except PackageNotFoundError:
        return "0.0.0"


def _rules(site: site_settings.Site) -> list[dict]:
    return [{"id": str(i + 1), "text": text, "hint": ""} for i, text in enumerate(site.rules)]


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _configuration() -> dict:
    return {
        "statuses": {"max_characters": MAX_CHARS, "max_media_attachments": 4, "characters_reserved_per_url": 23},
        "media_attachments": {"supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                              "image_size_limit": 16 * 1024 * 1024, "image_matrix_limit": 16_777_216},
        "polls": {"max_options": MAX_POLL_OPTIONS, "max_characters_per_option": MAX_POLL_OPTION_CHARS,
                  "min_expiration": 300, "max_expiration": 30 * 86400},
        "accounts": {"max_featured_tags": MAX_FEATURED_TAGS, "max_pinned_statuses": 5},
        "translation": {"enabled": False},
    }


def _streaming_url(settings) -> str:
    """The streaming API is served by the web process itself (ws:// only on development http instances)."""
    return f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"


def _version() -> str:
    return f"{MASTODON_COMPAT} (compatible; Curbside {software_version()})"


async def instance_v1(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    async with request.app.state.sessions() as session:
        users = await session.scalar(select(func.count()).select_from(public_members().subquery()))
        posts = await session.scalar(select(func.count()).select_from(Post).where(Post.local.is_(True)))
        domains = await session.scalar(select(func.count(distinct(Actor.domain))).where(Actor.local.is_(False)))
        site = await site_settings.load(session, settings)
        mode = await registration_mode(session, settings)
    return JSONResponse({
        "uri": settings.domain, "title": site.title, "short_description": _short(site.description),
        "description": site.description,
        "email": "", "version": _version(), "urls": {"streaming_api": _streaming_url(settings)},
        "stats": {"user_count": users, "status_count": posts, "domain_count": domains},
        "thumbnail": site.logo_url, "languages": ["en"], "registrations": mode in ("open", "approval"),
        "approval_required": mode == "approval", "invites_enabled": mode in ("invite", "closed", "approval"),
        # the push key also here (Mastodon has it in v2 only): apps that read v1 find it too
        "configuration": {**_configuration(), "vapid": {"public_key": server_key(settings)}},
        "contact_account": None, "rules": _rules(site),
    })


async def instance_v2(request: Request) -> JSONResponse:
    settings = request.app.state.settings
    async with request.app.state.sessions() as session:
        site = await site_settings.load(session, settings)
        active = await session.scalar(select(func.count()).select_from(public_members().subquery()))
        mode = await registration_mode(session, settings)
    return JSONResponse({
        "domain": settings.domain, "title": site.title, "version": _version(),
        "source_url": "https://github.com/curbside/curbside", "description": site.description,
        "usage": {"users": {"active_month": active}},
        "thumbnail": {"url": site.logo_url or f"{settings.base_url}/static/thumbnail.png"},
        "languages": ["en"], "configuration": {**_configuration(), "urls": {"streaming": _streaming_url(settings)},
                                               "vapid": {"public_key": server_key(settings)}},
        "registrations": {"enabled": mode in ("open", "approval"), "approval_required": mode == "approval",
                          "message": None},
        "api_versions": {"mastodon": 2}, "contact": {"email": "", "account": None}, "rules": _rules(site),
    })


async def peers(request: Request) -> JSONResponse:
    """The domains of the remote accounts known here, but for those the instance blocks (Effective.blocked)."""
    async with request.app.state.sessions() as session:
        rows = await session.execute(
            select(Actor.domain).distinct().where(Actor.local.is_(False)).order_by(Actor.domain))
        policies = await policies_for(session)
        return JSONResponse([domain for (domain,) in rows.all() if not policies.effective(domain).blocked])


async def rules(request: Request) -> JSONResponse:
    async with request.app.state.sessions() as session:
        return JSONResponse(_rules(await site_settings.load(session, request.app.state.settings)))


async def custom_emojis(request: Request) -> JSONResponse:
    return JSONResponse([])


async def extended_description(request: Request) -> JSONResponse:
    """The site's description as HTML (Mastodon's ExtendedDescription); `updated_at` null when never set."""
    state = request.app.state
    async with state.sessions() as session:
        site = await site_settings.load(session, state.settings)
        updated = await site_settings.changed_at(session, "site_description")
    return JSONResponse({"updated_at": iso(updated),
                         "content": render_post(site.description, mentions={}, tag_url=state.urls.tag).html})


async def languages(request: Request) -> JSONResponse:
    """The languages members may post in (the composer's list), as Mastodon's Language entities."""
    return JSONResponse([{"code": code, "name": name} for code, name, _ in LANGUAGES])


async def privacy_policy(request: Request) -> JSONResponse:
    state = request.app.state
    async with state.sessions() as session:
        content, updated = await policy.privacy_policy(session, state.settings, state.urls)
    return JSONResponse({"updated_at": iso(updated), "content": content})


async def translation_languages(request: Request) -> JSONResponse:
    """Source language -> target languages: none, as no translation service is set up (see statuses.translate)."""
    return JSONResponse({})
